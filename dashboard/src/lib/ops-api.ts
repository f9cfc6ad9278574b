import { ApiError, http, type Alert, type Disposition, type Product, type Schemas, type TelemetryPoint } from './api';

/**
 * The operating pages' part of the API (samples list, sample actions, creators, KPIs,
 * fleet). Requests go through `$lib/api` (http.get / http.post). Wire types are the
 * generated ones (`Schemas`, from docs/openapi.json); the few written here say why.
 */

type Fetch = typeof fetch;

/**
 * A sample as GET /api/samples(/:id) gives it: the record plus its outcome and costs. The
 * generated SampleDetail, with the condition profile typed as the pages read it (the schema
 * keeps profiles open, as Product's).
 */
export type SampleRecord = Omit<Schemas['SampleDetail'], 'condition'> & { condition?: SampleCondition };

/**
 * PUT /api/samples/:id/condition-profile answers with this. Hand-written: the schema keeps
 * profiles an open object, and the pages read their fields.
 */
export interface SampleCondition {
  source: 'sample' | 'product' | 'default';
  sampleProfile: Product['conditionProfile'];
  effectiveProfile: NonNullable<Product['conditionProfile']>;
}

export const PROFILE_PRESETS = ['chocolate', 'cold-chain', 'fragile', 'ambient'] as const;

/** Trip-wide verdicts of one tracker's ride with a sample (GET /api/samples/:id/trip-figures). */
export type TripFigures = Schemas['TripFigures']['trackers'][number];

export type Standing = 'active' | 'watch' | 'restricted';

export type CreatorSummary = Schemas['CreatorSummary'];

export type SkuHistory = Schemas['SkuHistory'];

export type Creator = Schemas['Creator'];

export type DamageRate = Schemas['Kpis']['damageRate'];

export type Kpis = Schemas['Kpis'];

export type KpiGroupBy = 'none' | 'creator' | 'sku' | 'campaign' | 'carrier';

// Hand-written: GET /api/kpis's answer is an inline schema, not a named one; its parts are.
export interface KpiReport {
  from: string;
  to: string;
  groupBy: string;
  groups: { key: string | null; kpis: Kpis }[];
}

export type Device = Schemas['Device'];

/** Tracker protocol: trackers/{id}/config. Fields left out are left as the tracker has them. */
export type TrackerConfig = NonNullable<Schemas['Device']['config']>;

export type RequestResult = Schemas['SampleRequestResult'];

/** An exception as the inbox reads it: one incident, with how often it recurred (GET /api/exceptions). */
export type InboxException = Schemas['ConditionException'];

export type ExceptionCounts = Schemas['ExceptionCounts'];

/** One sample's exceptions (GET /api/exceptions/groups). */
export type ExceptionGroup = Schemas['ExceptionGroup'];

export type ExceptionGroupPage = Schemas['ExceptionGroupPage'];

/** What became of each id of a bulk action. */
export type BulkResult = Schemas['BulkResult'];

/** The API's bound on the ids of one bulk request. */
export const BULK_MAX = 500;

/** The API's page size cap: lists longer than this are read page by page. */
const PAGE = 1000;

export const opsApi = {
  /** One page of the inbox grouped by sample; `filters` are GET /api/exceptions/groups' query parameters. */
  exceptionGroups(
    fetchFn: Fetch,
    filters: URLSearchParams,
    page: { limit: number; offset: number; perGroup: number },
  ): Promise<ExceptionGroupPage> {
    const params = new URLSearchParams(filters);
    for (const [k, v] of Object.entries(page)) params.set(k, String(v));
    return http.get(fetchFn, `/api/exceptions/groups?${params}`);
  },

  /** One page of the exceptions matching `filters`, with the total over all pages. */
  exceptionPage(
    fetchFn: Fetch,
    filters: URLSearchParams,
    page: { limit: number; offset: number },
  ): Promise<{ exceptions: InboxException[]; total: number }> {
    const params = new URLSearchParams(filters);
    for (const [k, v] of Object.entries(page)) params.set(k, String(v));
    return http.get(fetchFn, `/api/exceptions?${params}`);
  },

  /** Acknowledges as the signed-in person (the API takes no name). At most BULK_MAX ids. */
  acknowledgeExceptions(ids: readonly number[]): Promise<BulkResult> {
    return http.post('/api/exceptions/acknowledge', { ids });
  },

  resolveExceptions(ids: readonly number[], disposition: Disposition, note?: string): Promise<BulkResult> {
    return http.post('/api/exceptions/resolve', { ids, disposition, ...(note ? { note } : {}) });
  },

  /** Samples newest first; every page up to `max` (the API has no count or server-side search). */
  async listSamples(
    fetchFn: Fetch,
    q: { status?: string; creator?: string; max?: number } = {},
  ): Promise<SampleRecord[]> {
    const max = q.max ?? 5000;
    const out: SampleRecord[] = [];
    for (let offset = 0; offset < max; offset += PAGE) {
      const params = new URLSearchParams({ limit: String(Math.min(PAGE, max - offset)), offset: String(offset) });
      if (q.status) params.set('status', q.status);
      if (q.creator) params.set('creator', q.creator);
      const page = (await http.get<{ samples: SampleRecord[] }>(fetchFn, `/api/samples?${params}`)).samples;
      out.push(...page);
      if (page.length < PAGE) break;
    }
    return out;
  },

  getSample(fetchFn: Fetch, id: string): Promise<SampleRecord> {
    return http.get(fetchFn, `/api/samples/${encodeURIComponent(id)}`);
  },

  async tripFigures(fetchFn: Fetch, id: string): Promise<TripFigures[]> {
    return (await http.get<{ trackers: TripFigures[] }>(fetchFn, `/api/samples/${encodeURIComponent(id)}/trip-figures`))
      .trackers;
  },

  /** A preset name gives the sample its own profile; null goes back to the product's. */
  setConditionProfile(id: string, profile: (typeof PROFILE_PRESETS)[number] | null): Promise<SampleCondition> {
    return http.put(`/api/samples/${encodeURIComponent(id)}/condition-profile`, { profile });
  },

  async alertsOfSample(fetchFn: Fetch, sampleId: string): Promise<Alert[]> {
    const params = new URLSearchParams({ sampleId, limit: '1000' });
    return (await http.get<{ alerts: Alert[] }>(fetchFn, `/api/alerts?${params}`)).alerts;
  },

  /** The sample's telemetry, bucketed; one trip in time order (see api.telemetry). */
  async telemetry(fetchFn: Fetch, id: string, bucket: string): Promise<TelemetryPoint[]> {
    const body = await http.get<{ series: { deviceId: string; points: TelemetryPoint[] }[] }>(
      fetchFn,
      `/api/samples/${encodeURIComponent(id)}/telemetry?bucket=${encodeURIComponent(bucket)}`,
    );
    return body.series.flatMap((s) => s.points).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  },

  /** Requested by the signed-in person. */
  reship(id: string): Promise<RequestResult> {
    return http.post(`/api/samples/${encodeURIComponent(id)}/reship`, {});
  },

  async listCreators(fetchFn: Fetch, q: { standing?: Standing; q?: string } = {}): Promise<CreatorSummary[]> {
    const out: CreatorSummary[] = [];
    for (let offset = 0; offset < 10 * PAGE; offset += PAGE) {
      const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (q.standing) params.set('standing', q.standing);
      if (q.q) params.set('q', q.q);
      const page = (await http.get<{ creators: CreatorSummary[] }>(fetchFn, `/api/creators?${params}`)).creators;
      out.push(...page);
      if (page.length < PAGE) break;
    }
    return out;
  },

  getCreator(fetchFn: Fetch, id: string): Promise<Creator> {
    return http.get(fetchFn, `/api/creators/${encodeURIComponent(id)}`);
  },

  /** "Already sampled?" for a creator (id or handle), optionally with one SKU. */
  sampled(
    fetchFn: Fetch,
    creator: string,
    sku?: string,
  ): Promise<{ creatorId: string; sku: string | null; alreadySampled: boolean; skus: SkuHistory[] }> {
    const q = sku ? `?${new URLSearchParams({ sku })}` : '';
    return http.get(fetchFn, `/api/creators/${encodeURIComponent(creator)}/sampled${q}`);
  },

  kpis(fetchFn: Fetch, q: { from: string; to: string; groupBy: KpiGroupBy }): Promise<KpiReport> {
    return http.get(fetchFn, `/api/kpis?${new URLSearchParams(q)}`);
  },

  async listDevices(fetchFn: Fetch): Promise<Device[]> {
    return (await http.get<{ devices: Device[] }>(fetchFn, '/api/devices')).devices;
  },

  provisionDevice(body: { id?: string; label?: string }): Promise<{ id: string; secret: string }> {
    return http.post('/api/devices', body);
  },

  /** A new secret, returned this once; the old one stops working and the tracker is disconnected. */
  rotateDeviceSecret(id: string): Promise<{ id: string; secret: string }> {
    return http.post(`/api/devices/${encodeURIComponent(id)}/rotate-secret`, {});
  },

  setDeviceConfig(id: string, config: TrackerConfig): Promise<Device> {
    return http.put(`/api/devices/${encodeURIComponent(id)}/config`, config);
  },

  setDeviceDisabled(id: string, disabled: boolean): Promise<Device> {
    return http.post(`/api/devices/${encodeURIComponent(id)}/${disabled ? 'disable' : 'enable'}`, {});
  },
};

/** A message for a failed action, with the API's own words when it gave some. */
export function failureMessage(cause: unknown): string {
  return cause instanceof ApiError ? cause.message : String(cause);
}

import { error } from '@sveltejs/kit';
import type { components } from './api/schema';
import { serverClock } from './clock.svelte';

/** The API's response schemas, generated from its OpenAPI document (`npm run docs:openapi`). */
export type Schemas = components['schemas'];

/**
 * The platform's HTTP API, and the only module that calls fetch. Wire types come from the
 * API's OpenAPI document (lib/api/schema.d.ts, generated), so they cannot drift from it.
 */

/** A tracker's latest reading as the platform stored it; absent fields were not measured. */
export interface Reading {
  seq: number;
  tempC?: number;
  humidityPct?: number;
  shockG?: number;
  tiltDeg?: number;
  lightLux?: number;
  batteryPct?: number;
  rssiDbm?: number;
}

/**
 * A tracked parcel: the tracker, the sample packed with it, and its latest state. Generated
 * from the API's schema; only the reading is typed more closely than the schema says (the
 * schema keeps unknown reading fields open, as the tracker protocol does).
 */
export type Parcel = Omit<Schemas['Parcel'], 'reading'> & { reading: Reading | null };

/** An error the API answered with (`{"error": {"code", "message"}}`), or could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's `details` as the API sent them (e.g. which fields were invalid). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Fetch = typeof fetch;

export type Severity = Schemas['ConditionException']['severity'];
export type ExceptionStatus = Schemas['ConditionException']['status'];
export type Disposition = NonNullable<Schemas['ConditionException']['disposition']>;

/** A condition exception raised against a sample (GET /api/exceptions, live `exceptions`): one incident. */
export type ConditionException = Schemas['ConditionException'];

/** An in-app notice of a step of an exception (GET /api/alerts, live `alerts`). */
export type Alert = Schemas['Alert'];

export type Sample = Schemas['Sample'];

/** One status change of a sample, timestamped and attributed. */
export type Transition = Schemas['Transition'];

// Hand-written: GET /api/samples/:id/timeline's answer has no named schema in the document.
export interface Timeline {
  sampleId: string;
  status: string;
  allowedEvents: string[];
  /** paused while damage is under review; dueAt only while running. */
  contentClock?: { state: 'not_started' | 'running' | 'paused' | 'stopped'; dueAt: string | null };
  transitions: Transition[];
}

/** A reading, or with `bucket` the aggregate of `count` readings in a time bucket. */
export type TelemetryPoint = Schemas['TelemetryPoint'];

// Hand-written: the schema types conditionProfile as an open object (z.record on the API
// side), and the pages read its fields.
export interface Product {
  sku: string;
  name: string;
  variant: string | null;
  conditionProfile: {
    name?: string;
    temperature?: { minC?: number; maxC?: number } | null;
    humidity?: { minPct?: number; maxPct?: number } | null;
    shock?: { thresholdG?: number } | null;
    [section: string]: unknown;
  } | null;
}

async function getJson<T>(fetchFn: Fetch, path: string): Promise<T> {
  return requestJson<T>(fetchFn, path);
}

/**
 * The header every state-changing request carries: the session cookie goes with any
 * request the browser makes, so the API accepts a cookie-authenticated change only with
 * this header, which a page on another origin cannot add (docs/SECURITY.md).
 */
const CSRF_HEADERS = { 'x-requested-with': 'sampletrack' };

async function postJson<T>(path: string, body: unknown): Promise<T> {
  return requestJson<T>(fetch, path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...CSRF_HEADERS },
    body: JSON.stringify(body),
  });
}

/** A CSV file as the body (the imports); the answer is JSON like every other call. */
async function postCsv<T>(path: string, csv: string): Promise<T> {
  return requestJson<T>(fetch, path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'text/csv', ...CSRF_HEADERS },
    body: csv,
  });
}

async function putJson<T>(path: string, body: unknown): Promise<T> {
  return requestJson<T>(fetch, path, {
    method: 'PUT',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...CSRF_HEADERS },
    body: JSON.stringify(body),
  });
}

async function patchJson<T>(path: string, body: unknown): Promise<T> {
  return requestJson<T>(fetch, path, {
    method: 'PATCH',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...CSRF_HEADERS },
    body: JSON.stringify(body),
  });
}

async function deleteJson<T>(path: string): Promise<T> {
  return requestJson<T>(fetch, path, { method: 'DELETE', headers: { accept: 'application/json', ...CSRF_HEADERS } });
}

/** The signed-in person (GET /api/auth/me). */
export type Me = Schemas['Me'];

export const LOGIN_PATH = '/login';

/** Off to the sign-in page, coming back here afterwards. */
function toSignIn(): void {
  if (typeof location === 'undefined' || location.pathname === LOGIN_PATH) return;
  location.assign(`${LOGIN_PATH}?next=${encodeURIComponent(location.pathname + location.search)}`);
}

async function requestJson<T>(fetchFn: Fetch, path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    // Same origin: the session cookie goes along.
    response = await fetchFn(path, {
      credentials: 'same-origin',
      ...(init ?? { headers: { accept: 'application/json' } }),
    });
  } catch (cause) {
    throw new ApiError(503, 'API_UNREACHABLE', `The platform API could not be reached (${String(cause)}).`);
  }
  serverClock.noteServerDate(response.headers.get('date'));
  // Signed out (session expired, or never signed in): the sign-in page, then back here.
  if (response.status === 401 && path !== '/api/auth/login') toSignIn();
  const body: unknown = response.status === 204 ? {} : await response.json().catch(() => null);
  if (!response.ok) {
    const apiError = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    throw new ApiError(
      response.status,
      typeof apiError?.code === 'string' ? apiError.code : `HTTP_${response.status}`,
      typeof apiError?.message === 'string' ? apiError.message : `${path} answered ${response.status}.`,
      apiError?.details,
    );
  }
  if (body === null) throw new ApiError(502, 'BAD_RESPONSE', `${path} did not answer with JSON.`);
  return body as T;
}

export const api = {
  /** Signs in; the API sets the session cookie. A wrong email or password is an ApiError 401. */
  login(email: string, password: string): Promise<Me> {
    return postJson('/api/auth/login', { email, password });
  },

  async logout(): Promise<void> {
    await postJson('/api/auth/logout', {});
  },

  me(fetchFn: Fetch = fetch): Promise<Me> {
    return getJson(fetchFn, '/api/auth/me');
  },

  /** Every parcel: trackers that have reported or are packed in a sample, in device id order. */
  async listParcels(fetchFn: Fetch = fetch): Promise<Parcel[]> {
    const body = await getJson<{ parcels: Parcel[] }>(fetchFn, '/api/parcels');
    if (!Array.isArray(body.parcels)) throw new ApiError(502, 'BAD_RESPONSE', '/api/parcels has no parcels list.');
    return body.parcels;
  },

  /** Exceptions in inbox order (open, then acknowledged; critical first; oldest first). */
  async listExceptions(
    fetchFn: Fetch = fetch,
    q: { status?: ExceptionStatus[]; sampleId?: string; severity?: Severity; limit?: number } = {},
  ): Promise<ConditionException[]> {
    const params = new URLSearchParams();
    for (const s of q.status ?? []) params.append('status', s);
    if (q.sampleId) params.set('sampleId', q.sampleId);
    if (q.severity) params.set('severity', q.severity);
    params.set('limit', String(q.limit ?? 1000));
    return (await getJson<{ exceptions: ConditionException[] }>(fetchFn, `/api/exceptions?${params}`)).exceptions;
  },

  // The server records the signed-in person as who acted: no name is sent.
  acknowledgeException(id: number): Promise<ConditionException> {
    return postJson(`/api/exceptions/${id}/acknowledge`, {});
  },

  resolveException(id: number, disposition: Disposition, note?: string): Promise<ConditionException> {
    return postJson(`/api/exceptions/${id}/resolve`, { disposition, ...(note ? { note } : {}) });
  },

  /** The newest alerts (the API has no per-sample filter yet). */
  async listAlerts(fetchFn: Fetch = fetch, limit = 1000): Promise<Alert[]> {
    return (await getJson<{ alerts: Alert[] }>(fetchFn, `/api/alerts?limit=${limit}`)).alerts;
  },

  getSample(fetchFn: Fetch, id: string): Promise<Sample> {
    return getJson(fetchFn, `/api/samples/${encodeURIComponent(id)}`);
  },

  getTimeline(fetchFn: Fetch, id: string): Promise<Timeline> {
    return getJson(fetchFn, `/api/samples/${encodeURIComponent(id)}/timeline`);
  },

  /** The product, or null when the SKU has no product record. */
  async getProduct(fetchFn: Fetch, sku: string): Promise<Product | null> {
    try {
      return await getJson<Product>(fetchFn, `/api/products/${encodeURIComponent(sku)}`);
    } catch (cause) {
      if (cause instanceof ApiError && (cause.status === 404 || cause.status === 400)) return null;
      throw cause;
    }
  },

  /** The sample's telemetry, aggregated server-side into buckets of `bucket` (e.g. `5m`). */
  async telemetry(
    fetchFn: Fetch,
    id: string,
    q: { bucket?: string; from?: string; to?: string } = {},
  ): Promise<TelemetryPoint[]> {
    const params = new URLSearchParams();
    if (q.bucket) params.set('bucket', q.bucket);
    if (q.from) params.set('from', q.from);
    if (q.to) params.set('to', q.to);
    const body = await getJson<{ series: { deviceId: string; points: TelemetryPoint[] }[] }>(
      fetchFn,
      `/api/samples/${encodeURIComponent(id)}/telemetry?${params}`,
    );
    // A sample re-packed with another tracker has one series per tracker: one trip, in time order.
    return body.series.flatMap((s) => s.points).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  },

  applyEvent(
    id: string,
    event: { type: string; reason?: string; data?: Record<string, unknown> },
  ): Promise<{ sample: Sample; transitions: Transition[] }> {
    return postJson(`/api/samples/${encodeURIComponent(id)}/events`, event);
  },
};

/**
 * Turns a failed API call inside a load function into SvelteKit's error page, keeping the
 * API's code; anything else is a bug and is left for SvelteKit to report as one.
 */
export function throwLoadError(cause: unknown): never {
  if (cause instanceof ApiError) error(cause.status, { message: cause.message, code: cause.code });
  throw cause;
}

/**
 * The same requests for the pages' own API modules (`$lib/ops-api.ts`): every call still
 * goes through this module's request handling.
 */
export const http = { get: getJson, post: postJson, postCsv, put: putJson, patch: patchJson, delete: deleteJson };

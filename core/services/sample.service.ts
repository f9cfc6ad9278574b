import type { AuditActor } from '../domain/auth/principal.ts';
import { toCsv } from '../domain/csv.ts';
import type { LatLon } from '../domain/geofence.ts';
import { notFound } from '../domain/errors.ts';
import { DeviceRepository } from '../storage/repositories/device.repository.ts';
import { SampleRepository, type SampleRow, type SampleSort } from '../storage/repositories/sample.repository.ts';
import { TelemetryRepository, type TelemetryPoint } from '../storage/repositories/telemetry.repository.ts';
import type { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';
import type { SampleProgramConfig } from './sample-program.config.ts';

const EXPORT_COLUMNS = [
  'id',
  'creator',
  'creatorId',
  'sku',
  'variant',
  'quantity',
  'campaign',
  'source',
  'requestedBy',
  'status',
  'createdAt',
  'approvedAt',
  'carrier',
  'serviceLevel',
  'trackingId',
  'trackerId',
  'packaging',
  'shippedAt',
  'receivedAt',
  'postUrl',
  'publishedAt',
  'usableForAds',
  'orders',
  'gmvCents',
  'classification',
  'damagedAt',
  'reshipOf',
  'reshippedAs',
  'productCostCents',
  'shippingCostCents',
  'trackerCostShareCents',
  'contentDueAt',
  'extensionGranted',
] as const satisfies readonly (keyof SampleRow)[];

export interface TelemetryQuery {
  from?: Date;
  to?: Date;
  /** Seconds per bucket; absent for raw readings. */
  bucketS?: number;
  limit: number;
}

export class SampleService {
  private readonly samples: SampleRepository;
  private readonly devices: DeviceRepository;
  private readonly series: TelemetryRepository;
  private readonly lifecycle: SampleLifecycleService;
  private readonly trackerCostShareCents: number;
  private readonly now: () => Date;

  constructor(
    deps: ServiceDeps & {
      lifecycle: SampleLifecycleService;
      program: Pick<SampleProgramConfig, 'trackerCostShareCents'>;
    },
  ) {
    this.samples = new SampleRepository(deps.pool);
    this.devices = new DeviceRepository(deps.pool);
    this.series = new TelemetryRepository(deps.pool);
    this.lifecycle = deps.lifecycle;
    this.trackerCostShareCents = deps.program.trackerCostShareCents;
    this.now = deps.now ?? wallClock;
  }

  /** A bare sample record without the approval policy (see SampleLifecycleService.record). */
  create(input: { creator: string; sku: string; campaign?: string }, by?: AuditActor): Promise<SampleRow> {
    return this.lifecycle.record({ creator: input.creator, sku: input.sku, campaign: input.campaign ?? null }, by);
  }

  async get(id: string): Promise<SampleRow> {
    const sample = await this.samples.get(id);
    if (!sample) throw notFound('sample', id);
    return sample;
  }

  list(filter: {
    status?: string;
    creator?: string;
    sort?: SampleSort;
    limit: number;
    offset: number;
  }): Promise<SampleRow[]> {
    return this.samples.list(filter);
  }

  /** Samples created in [from, to) as CSV. No creator PII: the creator is named by handle and id. */
  async exportCsv(range: { from?: Date; to?: Date }): Promise<string> {
    const rows = await this.samples.listCreatedBetween(range.from ?? null, range.to ?? null);
    return toCsv(
      EXPORT_COLUMNS,
      rows.map((r) => EXPORT_COLUMNS.map((c) => r[c])),
    );
  }

  /** Sets the trip's geofences; the condition monitor picks them up within seconds. */
  async setGeofences(
    sampleId: string,
    g: { origin: LatLon | null; destination: LatLon | null; radiusM: number },
  ): Promise<SampleRow> {
    await this.get(sampleId);
    await this.samples.setGeofences(sampleId, g);
    return this.get(sampleId);
  }

  /** Packs a tracker into the sample's shipment (see SampleLifecycleService.attachTracker). */
  attachTracker(sampleId: string, deviceId: string, by?: AuditActor): Promise<SampleRow> {
    return this.lifecycle.attachTracker(sampleId, deviceId, by);
  }

  /** Takes the tracker out of the sample's shipment; audited under `by`. */
  detachTracker(sampleId: string, by: AuditActor): Promise<SampleRow> {
    return this.lifecycle.detachTracker(sampleId, by);
  }

  /**
   * The sample's telemetry: readings of the tracker(s) that rode with it, limited to the
   * span each belongs to the sample, by event time.
   */
  async telemetry(sampleId: string, q: TelemetryQuery): Promise<{ deviceId: string; points: TelemetryPoint[] }[]> {
    await this.get(sampleId);
    const windows = await this.samples.trackerWindows(sampleId);
    const out: { deviceId: string; points: TelemetryPoint[] }[] = [];
    for (const w of windows) {
      const from = new Date(Math.max(w.from?.getTime() ?? 0, q.from?.getTime() ?? 0));
      const to = new Date(Math.min(w.to?.getTime() ?? Infinity, q.to?.getTime() ?? this.now().getTime() + 86_400_000));
      if (from >= to) continue;
      const points = q.bucketS
        ? await this.series.bucketed(w.deviceId, from, to, q.bucketS)
        : await this.series.raw(w.deviceId, from, to, q.limit);
      out.push({ deviceId: w.deviceId, points });
    }
    return out;
  }
}

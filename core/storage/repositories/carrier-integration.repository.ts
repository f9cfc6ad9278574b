import type { CarrierVendor } from '../../domain/carriers/vendor.ts';
import type { Sql } from '../sql.ts';

export type WebhookOutcome = 'applied' | 'no_op' | 'stale' | 'unknown_status' | 'unknown_tracking';

export interface CarrierIntegrationRow {
  vendor: CarrierVendor;
  enabled: boolean;
  secret: string;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface WebhookEventRow {
  id: number;
  vendor: CarrierVendor;
  eventId: string;
  receivedAt: Date;
  occurredAt: Date;
  trackingId: string;
  vendorStatus: string;
  mappedEvent: string | null;
  outcome: WebhookOutcome;
  reason: string | null;
  sampleId: string | null;
}

export interface VendorActivity {
  vendor: CarrierVendor;
  lastReceivedAt: Date | null;
  counts: Partial<Record<WebhookOutcome, number>>;
}

const EVENT_COLUMNS = `id::int as id, vendor, event_id as "eventId", received_at as "receivedAt",
  occurred_at as "occurredAt", tracking_id as "trackingId", vendor_status as "vendorStatus",
  mapped_event as "mappedEvent", outcome, reason, sample_id as "sampleId"`;

/** The aggregator set-up (one row per vendor) and the inbox of their webhook events. */
export class CarrierIntegrationRepository {
  constructor(private readonly sql: Sql) {}

  async get(vendor: CarrierVendor): Promise<CarrierIntegrationRow | undefined> {
    const { rows } = await this.sql.query<CarrierIntegrationRow>(
      `select vendor, enabled, secret, updated_at as "updatedAt", updated_by as "updatedBy"
       from carrier_integrations where vendor = $1`,
      [vendor],
    );
    return rows[0];
  }

  async list(): Promise<CarrierIntegrationRow[]> {
    const { rows } = await this.sql.query<CarrierIntegrationRow>(
      `select vendor, enabled, secret, updated_at as "updatedAt", updated_by as "updatedBy" from carrier_integrations`,
    );
    return rows;
  }

  /** Sets enabled, and the secret when given (null keeps the stored one: there must be one). */
  async upsert(vendor: CarrierVendor, enabled: boolean, secret: string | null, by: string): Promise<void> {
    if (secret === null) {
      await this.sql.query(
        'update carrier_integrations set enabled = $2, updated_at = now(), updated_by = $3 where vendor = $1',
        [vendor, enabled, by],
      );
      return;
    }
    await this.sql.query(
      `insert into carrier_integrations (vendor, enabled, secret, updated_by) values ($1, $2, $3, $4)
       on conflict (vendor) do update set enabled = excluded.enabled, secret = excluded.secret,
         updated_at = now(), updated_by = excluded.updated_by`,
      [vendor, enabled, secret, by],
    );
  }

  /**
   * Keeps a new event, or finds the one stored under the same vendor event id (a resend):
   * `inserted` false then, with the stored row. A concurrent duplicate waits on the unique
   * index and then finds the first.
   */
  async insertEvent(e: {
    vendor: CarrierVendor;
    eventId: string;
    trackingId: string;
    vendorStatus: string;
    mappedEvent: string | null;
    occurredAt: Date;
    outcome: WebhookOutcome;
    reason: string | null;
    sampleId: string | null;
    raw: unknown;
  }): Promise<{ inserted: boolean; row: WebhookEventRow }> {
    const { rows } = await this.sql.query<WebhookEventRow>(
      `insert into carrier_webhook_events
         (vendor, event_id, tracking_id, vendor_status, mapped_event, occurred_at, outcome, reason, sample_id, raw)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (vendor, event_id) do nothing
       returning ${EVENT_COLUMNS}`,
      [
        e.vendor,
        e.eventId,
        e.trackingId,
        e.vendorStatus,
        e.mappedEvent,
        e.occurredAt,
        e.outcome,
        e.reason,
        e.sampleId,
        JSON.stringify(e.raw),
      ],
    );
    if (rows[0]) return { inserted: true, row: rows[0] };
    return { inserted: false, row: (await this.findEvent(e.vendor, e.eventId))! };
  }

  /** The outcome once the event was applied (it was claimed before). */
  async settleEvent(id: number, outcome: WebhookOutcome, reason: string | null): Promise<void> {
    await this.sql.query('update carrier_webhook_events set outcome = $2, reason = $3 where id = $1', [
      id,
      outcome,
      reason,
    ]);
  }

  async findEvent(vendor: CarrierVendor, eventId: string): Promise<WebhookEventRow | undefined> {
    const { rows } = await this.sql.query<WebhookEventRow>(
      `select ${EVENT_COLUMNS} from carrier_webhook_events where vendor = $1 and event_id = $2`,
      [vendor, eventId],
    );
    return rows[0];
  }

  async recentEvents(vendor: CarrierVendor, limit: number): Promise<WebhookEventRow[]> {
    const { rows } = await this.sql.query<WebhookEventRow>(
      `select ${EVENT_COLUMNS} from carrier_webhook_events where vendor = $1
       order by received_at desc, id desc limit $2`,
      [vendor, limit],
    );
    return rows;
  }

  async activity(): Promise<VendorActivity[]> {
    const { rows } = await this.sql.query<{ vendor: CarrierVendor; outcome: WebhookOutcome; n: number; last: Date }>(
      `select vendor, outcome, count(*)::int as n, max(received_at) as last
       from carrier_webhook_events group by vendor, outcome`,
    );
    const byVendor = new Map<CarrierVendor, VendorActivity>();
    for (const r of rows) {
      const a = byVendor.get(r.vendor) ?? { vendor: r.vendor, lastReceivedAt: null, counts: {} };
      a.counts[r.outcome] = r.n;
      if (!a.lastReceivedAt || r.last > a.lastReceivedAt) a.lastReceivedAt = r.last;
      byVendor.set(r.vendor, a);
    }
    return [...byVendor.values()];
  }
}

import type { Sql } from '../sql.ts';

/** Raw carrier webhook events, kept under their key (trackingId:event:at). */
export class CarrierEventRepository {
  constructor(private readonly sql: Sql) {}

  /** Stores the event; false when the same event was stored before. */
  async insert(e: {
    key: string;
    trackingId: string;
    sampleId: string;
    event: string;
    at: Date;
    effect: string;
    payload: unknown;
  }): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `insert into carrier_events (key, tracking_id, sample_id, event, at, effect, payload)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (key) do nothing`,
      [e.key, e.trackingId, e.sampleId, e.event, e.at, e.effect, JSON.stringify(e.payload)],
    );
    return rowCount === 1;
  }
}

import type { Sql } from '../sql.ts';

export interface SampleRow {
  id: string;
  creator: string;
  sku: string;
  campaign: string | null;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  deviceId: string | null;
}

const SELECT = `select s.id, s.creator, s.sku, s.campaign, s.status, s.created_at as "createdAt",
  s.updated_at as "updatedAt", st.device_id as "deviceId"
  from samples s left join shipment_trackers st on st.sample_id = s.id and st.detached_at is null`;

export class SampleRepository {
  constructor(private readonly sql: Sql) {}

  /** Creates a sample with the next human-friendly id, SMP-<yy>-<000123>. */
  async create(input: { creator: string; sku: string; campaign: string | null; at: Date }): Promise<SampleRow> {
    const yy = String(input.at.getUTCFullYear() % 100).padStart(2, '0');
    const { rows } = await this.sql.query<{ id: string }>(
      `insert into samples (id, creator, sku, campaign, created_at, updated_at)
       values ('SMP-' || $1 || '-' || lpad(nextval('sample_number_seq')::text, 6, '0'), $2, $3, $4, $5, $5)
       returning id`,
      [yy, input.creator, input.sku, input.campaign, input.at],
    );
    return (await this.get(rows[0]!.id))!;
  }

  async get(id: string): Promise<SampleRow | undefined> {
    const { rows } = await this.sql.query<SampleRow>(`${SELECT} where s.id = $1`, [id]);
    return rows[0];
  }

  async list(filter: { status?: string; creator?: string; limit: number; offset: number }): Promise<SampleRow[]> {
    const { rows } = await this.sql.query<SampleRow>(
      `${SELECT} where ($1::text is null or s.status = $1) and ($2::text is null or s.creator = $2)
       order by s.created_at desc, s.id desc limit $3 offset $4`,
      [filter.status ?? null, filter.creator ?? null, filter.limit, filter.offset],
    );
    return rows;
  }

  /**
   * Packs a tracker into the sample's shipment. The partial unique indexes refuse a
   * device already in another active shipment; the caller maps that to DEVICE_IN_USE.
   */
  async attachTracker(sampleId: string, deviceId: string, at: Date): Promise<void> {
    await this.sql.query('update shipment_trackers set detached_at = $2 where sample_id = $1 and detached_at is null', [
      sampleId,
      at,
    ]);
    await this.sql.query('insert into shipment_trackers (sample_id, device_id, attached_at) values ($1, $2, $3)', [
      sampleId,
      deviceId,
      at,
    ]);
  }

  async activeSampleOfDevice(deviceId: string): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ sampleId: string }>(
      'select sample_id as "sampleId" from shipment_trackers where device_id = $1 and detached_at is null',
      [deviceId],
    );
    return rows[0]?.sampleId;
  }

  /**
   * Devices that carried this sample, each with the span of its readings that belong to
   * it: from the end of the tracker's previous trip (readings while it was being packed
   * count) to its detachment from this one.
   */
  async trackerWindows(sampleId: string): Promise<{ deviceId: string; from: Date | null; to: Date | null }[]> {
    const { rows } = await this.sql.query<{ deviceId: string; from: Date | null; to: Date | null }>(
      `select st.device_id as "deviceId",
         (select max(prev.detached_at) from shipment_trackers prev
           where prev.device_id = st.device_id and prev.detached_at <= st.attached_at) as "from",
         st.detached_at as "to"
       from shipment_trackers st where st.sample_id = $1 order by st.attached_at`,
      [sampleId],
    );
    return rows;
  }
}

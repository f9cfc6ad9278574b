import { PARCEL_CHANNEL, type Parcel } from '../../events.ts';
import type { Sql } from '../sql.ts';

export type { Parcel } from '../../events.ts';

// NOTIFY payloads must stay under 8000 bytes.
const MAX_NOTIFY_BYTES = 7000;

export class ParcelRepository {
  constructor(private readonly sql: Sql) {}

  /** Parcels: every tracker that has reported or is packed in a sample. */
  async list(deviceIds?: readonly string[]): Promise<Parcel[]> {
    const { rows } = await this.sql.query<Parcel>(
      `select d.id as "deviceId", s.id as "sampleId", s.creator, s.sku, s.status as "sampleStatus",
         p.lat, p.lon, to_json(p.ts)#>>'{}' as ts,
         to_json(greatest(p.last_seen_at, d.status_at))#>>'{}' as "lastSeenAt",
         p.reading, d.online, d.fw, coalesce((p.reading->>'batteryPct')::real, d.battery_pct) as "batteryPct",
         (select count(*)::int from condition_exceptions e where e.sample_id = s.id and e.device_id = d.id
           and e.status in ('open', 'acknowledged')) as "openExceptions"
       from devices d
       left join parcel_state p on p.device_id = d.id
       left join shipment_trackers st on st.device_id = d.id and st.detached_at is null
       left join samples s on s.id = st.sample_id
       where ($1::text[] is null or d.id = any($1))
         and (p.device_id is not null or st.device_id is not null)
       order by d.id`,
      [deviceIds ?? null],
    );
    return rows;
  }

  /** Announces changed parcels; inside a transaction the notice goes out at commit. */
  async notifyChanged(deviceIds: Iterable<string>): Promise<void> {
    let chunk: string[] = [];
    let bytes = 0;
    const send = async () => {
      if (chunk.length) await this.sql.query('select pg_notify($1, $2)', [PARCEL_CHANNEL, chunk.join(',')]);
      chunk = [];
      bytes = 0;
    };
    for (const id of deviceIds) {
      if (bytes + id.length + 1 > MAX_NOTIFY_BYTES) await send();
      chunk.push(id);
      bytes += id.length + 1;
    }
    await send();
  }
}

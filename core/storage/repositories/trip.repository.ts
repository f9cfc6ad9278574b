import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Sql } from '../sql.ts';

/** A tracker's current trip: the sample it rides in and what the rules need to judge it. */
export interface ActiveTrip {
  deviceId: string;
  sampleId: string;
  sku: string;
  /** Readings measured after this belong to the trip (end of the tracker's previous trip). */
  since: Date | null;
  /** When the tracker was packed into this sample. */
  attachedAt: Date;
  /** When the parcel was received (carrier + tracker evidence, or confirmed): readings from then on are at the destination. */
  receivedAt: Date | null;
  /** Receipt + the profile's grace, set by the lifecycle with the receipt: nothing after it is judged; then the tracker is freed. */
  tripEndsAt: Date | null;
  productProfile: unknown;
  sampleProfile: unknown;
  origin: { lat: number; lon: number } | null;
  destination: { lat: number; lon: number } | null;
  radiusM: number;
}

interface TripRow {
  deviceId: string;
  sampleId: string;
  sku: string;
  since: Date | null;
  attachedAt: Date;
  receivedAt: Date | null;
  tripEndsAt: Date | null;
  productProfile: unknown;
  sampleProfile: unknown;
  oLat: number | null;
  oLon: number | null;
  dLat: number | null;
  dLon: number | null;
  radiusM: number;
}

export class TripRepository {
  constructor(private readonly sql: Sql) {}

  /** Devices on a trip now (attached to a sample, not detached). */
  async activeDeviceIds(): Promise<string[]> {
    const { rows } = await this.sql.query<{ id: string }>(
      `select device_id as id from shipment_trackers where detached_at is null`,
    );
    return rows.map((r) => r.id);
  }

  async active(deviceIds: readonly string[]): Promise<ActiveTrip[]> {
    const { rows } = await this.sql.query<TripRow>(
      `select st.device_id as "deviceId", s.id as "sampleId", s.sku,
         (select max(prev.detached_at) from shipment_trackers prev
           where prev.device_id = st.device_id and prev.detached_at <= st.attached_at) as since,
         st.attached_at as "attachedAt", s.received_at as "receivedAt", st.trip_ends_at as "tripEndsAt",
         p.condition_profile as "productProfile", s.condition_profile as "sampleProfile",
         s.origin_lat as "oLat", s.origin_lon as "oLon", s.destination_lat as "dLat", s.destination_lon as "dLon",
         s.geofence_radius_m as "radiusM"
       from shipment_trackers st
       join samples s on s.id = st.sample_id
       left join products p on p.sku = s.sku
       where st.device_id = any($1) and st.detached_at is null`,
      [deviceIds],
    );
    return rows.map((r) => ({
      deviceId: r.deviceId,
      sampleId: r.sampleId,
      sku: r.sku,
      since: r.since,
      attachedAt: r.attachedAt,
      receivedAt: r.receivedAt,
      tripEndsAt: r.tripEndsAt,
      productProfile: r.productProfile,
      sampleProfile: r.sampleProfile,
      origin: r.oLat !== null && r.oLon !== null ? { lat: r.oLat, lon: r.oLon } : null,
      destination: r.dLat !== null && r.dLon !== null ? { lat: r.dLat, lon: r.dLon } : null,
      radiusM: r.radiusM,
    }));
  }

  /**
   * Frees the tracker of a trip that has ended: detached at the trip end, so its readings
   * up to then stay with this sample and the next trip starts after it. Only while the
   * trip is still attached with that end (the lifecycle may have detached or moved it).
   */
  async detachAtTripEnd(deviceId: string, sampleId: string, tripEndsAt: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update shipment_trackers set detached_at = trip_ends_at, detach_reason = 'trip_end'
       where device_id = $1 and sample_id = $2 and detached_at is null and trip_ends_at = $3`,
      [deviceId, sampleId, tripEndsAt],
    );
    return rowCount === 1;
  }

  /** Where the tracker was at one reading (null without a fix). */
  async position(deviceId: string, seq: number): Promise<{ lat: number | null; lon: number | null } | undefined> {
    const { rows } = await this.sql.query<{ lat: number | null; lon: number | null }>(
      'select lat, lon from telemetry where device_id = $1 and seq = $2 limit 1',
      [deviceId, seq],
    );
    return rows[0];
  }

  /** The trip's stored readings (what the rules judge), oldest first by event time; `until` bounds a finished trip. */
  async readings(deviceId: string, since: Date | null, limit = 100_000, until: Date | null = null): Promise<Reading[]> {
    const { rows } = await this.sql.query<{
      seq: number;
      ts: Date;
      rcv: Date;
      lat: number | null;
      lon: number | null;
      acc: number | null;
      temp: number | null;
      hum: number | null;
      shock: number | null;
      tilt: number | null;
      light: number | null;
      batt: number | null;
      rssi: number | null;
    }>(
      `select seq, ts, received_at as rcv, lat, lon, acc_m as acc, temp_c as temp, humidity_pct as hum, shock_g as shock,
         tilt_deg as tilt, light_lux as light, battery_pct as batt, rssi_dbm as rssi
       from telemetry where device_id = $1 and ($2::timestamptz is null or ts > $2) and ($4::timestamptz is null or ts <= $4)
       order by ts, seq limit $3`,
      [deviceId, since, limit, until],
    );
    return rows.map((r) => {
      const reading: Reading = { deviceId, seq: r.seq, ts: r.ts.getTime(), receivedAt: r.rcv.getTime() };
      const set = <K extends keyof Reading>(k: K, v: Reading[K] | null) => {
        if (v !== null) reading[k] = v;
      };
      set('lat', r.lat);
      set('lon', r.lon);
      set('accM', r.acc);
      set('tempC', r.temp);
      set('humidityPct', r.hum);
      set('shockG', r.shock);
      set('tiltDeg', r.tilt);
      set('lightLux', r.light);
      set('batteryPct', r.batt);
      set('rssiDbm', r.rssi);
      return reading;
    });
  }
}

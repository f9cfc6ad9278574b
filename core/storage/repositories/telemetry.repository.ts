import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Sql } from '../sql.ts';

export interface DeadLetter {
  deviceId: string | null;
  topic: string;
  reason: string;
  detail: string;
  seq?: number;
  raw: string;
  rawBytes: number;
  receivedAt: number;
}

/** A parcel's newest reading in a batch, and when the tracker was last heard from. */
export interface ParcelUpdate {
  reading: Reading;
  lastSeenAt: number;
}

export interface TelemetryPoint {
  ts: string;
  seq?: number;
  lat: number | null;
  lon: number | null;
  tempC: number | null;
  humidityPct: number | null;
  shockG: number | null;
  tiltDeg: number | null;
  lightLux: number | null;
  batteryPct: number | null;
  /** Readings merged into this point (1 for raw). */
  count: number;
}

const num = (v: number | undefined) => (v === undefined ? null : v);

/**
 * The telemetry series. Writes go in one statement per flush: column arrays unnested
 * server-side, so a flush of 2,000 readings is one round trip, not 2,000.
 */
export class TelemetryRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts readings, skipping ones already stored; returns the (device, seq) actually new. */
  async insertReadings(readings: readonly Reading[]): Promise<Set<string>> {
    if (readings.length === 0) return new Set();
    const cols = {
      device: [] as string[], seq: [] as number[], ts: [] as string[], rcv: [] as string[],
      lat: [] as (number | null)[], lon: [] as (number | null)[], acc: [] as (number | null)[],
      temp: [] as (number | null)[], hum: [] as (number | null)[], shock: [] as (number | null)[],
      tilt: [] as (number | null)[], light: [] as (number | null)[], batt: [] as (number | null)[],
      rssi: [] as (number | null)[], extra: [] as (string | null)[],
    };
    for (const r of readings) {
      cols.device.push(r.deviceId);
      cols.seq.push(r.seq);
      cols.ts.push(new Date(r.ts).toISOString());
      cols.rcv.push(new Date(r.receivedAt).toISOString());
      cols.lat.push(num(r.lat));
      cols.lon.push(num(r.lon));
      cols.acc.push(num(r.accM));
      cols.temp.push(num(r.tempC));
      cols.hum.push(num(r.humidityPct));
      cols.shock.push(num(r.shockG));
      cols.tilt.push(num(r.tiltDeg));
      cols.light.push(num(r.lightLux));
      cols.batt.push(num(r.batteryPct));
      cols.rssi.push(num(r.rssiDbm));
      cols.extra.push(r.extra ? JSON.stringify(r.extra) : null);
    }
    const { rows } = await this.sql.query<{ d: string; s: number }>(
      `insert into telemetry (device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct,
         shock_g, tilt_deg, light_lux, battery_pct, rssi_dbm, extra)
       select * from unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::float8[],
         $6::float8[], $7::real[], $8::real[], $9::real[], $10::real[], $11::real[], $12::real[], $13::real[],
         $14::real[], $15::jsonb[])
       on conflict (device_id, seq, ts) do nothing
       returning device_id as d, seq as s`,
      Object.values(cols),
    );
    return new Set(rows.map((r) => `${r.d}\u0000${r.s}`));
  }

  async insertDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.sql.query(
      `insert into dead_letters (device_id, topic, reason, detail, seq, raw, raw_bytes, received_at)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[],
         $8::timestamptz[])`,
      [
        letters.map((l) => l.deviceId),
        letters.map((l) => l.topic),
        letters.map((l) => l.reason),
        letters.map((l) => l.detail),
        letters.map((l) => l.seq ?? null),
        letters.map((l) => l.raw),
        letters.map((l) => l.rawBytes),
        letters.map((l) => new Date(l.receivedAt).toISOString()),
      ],
    );
  }

  /**
   * Moves each parcel's latest state forward to the newest reading by event time. A late
   * batch updates last_seen_at but never replaces a newer reading; a reading without a fix
   * keeps the last known position.
   */
  async upsertParcelStates(updates: readonly ParcelUpdate[]): Promise<void> {
    const latest = updates.map((u) => u.reading);
    if (latest.length === 0) return;
    await this.sql.query(
      `insert into parcel_state as p (device_id, seq, ts, received_at, lat, lon, position_ts, reading, last_seen_at)
       select d, s, t, r, la, lo, case when la is null then null else t end, rd, seen
       from unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[], $7::jsonb[],
         $8::timestamptz[]) as u(d, s, t, r, la, lo, rd, seen)
       on conflict (device_id) do update set
         seq = case when excluded.ts >= p.ts then excluded.seq else p.seq end,
         reading = case when excluded.ts >= p.ts then excluded.reading else p.reading end,
         received_at = case when excluded.ts >= p.ts then excluded.received_at else p.received_at end,
         lat = case when excluded.lat is not null and excluded.ts >= coalesce(p.position_ts, '-infinity') then excluded.lat else p.lat end,
         lon = case when excluded.lat is not null and excluded.ts >= coalesce(p.position_ts, '-infinity') then excluded.lon else p.lon end,
         position_ts = case when excluded.lat is not null and excluded.ts >= coalesce(p.position_ts, '-infinity') then excluded.ts else p.position_ts end,
         ts = greatest(p.ts, excluded.ts),
         last_seen_at = greatest(p.last_seen_at, excluded.last_seen_at)`,
      [
        latest.map((r) => r.deviceId),
        latest.map((r) => r.seq),
        latest.map((r) => new Date(r.ts).toISOString()),
        latest.map((r) => new Date(r.receivedAt).toISOString()),
        latest.map((r) => num(r.lat)),
        latest.map((r) => num(r.lon)),
        latest.map((r) => JSON.stringify(readingJson(r))),
        updates.map((u) => new Date(u.lastSeenAt).toISOString()),
      ],
    );
  }

  /** Raw readings of one device in [from, to), by event time. */
  async raw(deviceId: string, from: Date, to: Date, limit: number): Promise<TelemetryPoint[]> {
    const { rows } = await this.sql.query<TelemetryPoint>(
      `select ts, seq, lat, lon, temp_c as "tempC", humidity_pct as "humidityPct", shock_g as "shockG",
         tilt_deg as "tiltDeg", light_lux as "lightLux", battery_pct as "batteryPct", 1 as count
       from telemetry where device_id = $1 and ts >= $2 and ts < $3 order by ts limit $4`,
      [deviceId, from, to, limit],
    );
    return rows;
  }

  /**
   * Time-bucketed series. date_bin works on plain PostgreSQL 14+ and on TimescaleDB alike;
   * shock and light keep their peaks (a drop must not average away), temperature its mean.
   */
  async bucketed(deviceId: string, from: Date, to: Date, bucketSeconds: number): Promise<TelemetryPoint[]> {
    const { rows } = await this.sql.query<TelemetryPoint>(
      `select date_bin(make_interval(secs => $4), ts, timestamptz '2000-01-01 00:00:00+00') as ts,
         avg(lat) as lat, avg(lon) as lon, avg(temp_c) as "tempC", avg(humidity_pct) as "humidityPct",
         max(shock_g) as "shockG", max(tilt_deg) as "tiltDeg", max(light_lux) as "lightLux",
         min(battery_pct) as "batteryPct", count(*)::int as count
       from telemetry where device_id = $1 and ts >= $2 and ts < $3
       group by 1 order by 1`,
      [deviceId, from, to, bucketSeconds],
    );
    return rows;
  }
}

/** The reading as the API shows it: protocol names, no storage bookkeeping. */
export function readingJson(r: Reading): Record<string, unknown> {
  const { deviceId: _d, receivedAt: _r, extra, ...rest } = r;
  return { ...rest, ts: new Date(r.ts).toISOString(), ...(extra ? { extra } : {}) };
}

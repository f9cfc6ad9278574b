import type { Reading } from '../../protocol/tracker-protocol.ts';
import { toStorableText } from '../../protocol/json-limits.ts';
import type { Sql } from '../sql.ts';
import { copyNewReadings } from './telemetry-copy.ts';

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

/** Readings a batch insert stored, and those it skipped as already stored (by device, seq). */
export interface InsertedReadings {
  inserted: Reading[];
  duplicates: { reading: Reading; storedTs: number }[];
}

/** The identity of a reading (tracker protocol): device id and seq. */
export const readingKey = (deviceId: string, seq: number): string => `${deviceId}\u0000${seq}`;

/**
 * A parcel's newest reading in a batch, and when the tracker was last heard from. With
 * `seenOnly` the batch held only duplicates of this tracker: it is heard from, but its
 * reading (never stored) must not replace the one shown.
 */
export interface ParcelUpdate {
  reading: Reading;
  lastSeenAt: number;
  seenOnly?: boolean;
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
// real columns: rounded here, because PostgreSQL refuses a float8 text such as 1e-300
// that underflows float4 instead of rounding it (one such reading would fail its batch).
const real = (v: number | undefined) => (v === undefined ? null : Math.fround(v));
/** From this many new readings in a flush on, COPY is cheaper than the statement (npm run bench). */
const COPY_FROM_READINGS = 64;

/**
 * The telemetry series. Writes go in one statement per flush: column arrays unnested
 * server-side, so a flush of 2,000 readings is one round trip, not 2,000.
 */
export class TelemetryRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Inserts readings; a reading whose (device, seq) is already stored, or repeated earlier in
   * `readings`, is not stored again whatever its ts (tracker protocol: "(device id, seq)
   * identifies a reading"). Returns the readings actually new and every duplicate with the
   * ts of the copy that is stored, so the caller can tell a resend from a conflicting one.
   *
   * The identity is telemetry_ids' primary key (migration 021), written by the same
   * statement: a concurrent batch with the same key waits for this one's commit and then
   * skips it. Keys are inserted in (device, seq) order so that two batches in flight that
   * share keys lock them in one order and never deadlock.
   */
  async insertReadings(readings: readonly Reading[]): Promise<InsertedReadings> {
    if (readings.length === 0) return { inserted: [], duplicates: [] };
    // First copy in arrival order wins within the batch, as it does across batches.
    const first = new Map<string, Reading>();
    const repeats: Reading[] = [];
    for (const r of readings) {
      const key = readingKey(r.deviceId, r.seq);
      if (first.has(key)) repeats.push(r);
      else first.set(key, r);
    }
    const unique = [...first.values()].sort((a, b) =>
      a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.seq - b.seq,
    );
    // A large batch of new readings goes by COPY (cheaper per reading, see telemetry-copy.ts);
    // a small one, or one COPY turned away, by the statement below.
    if (unique.length >= COPY_FROM_READINGS && (await copyNewReadings(this.sql, unique)))
      return this.answer(unique, repeats, unique);
    const { rows } = await this.insertByStatement(unique);
    const keys = new Set(rows.map((r) => readingKey(r.d, r.s)));
    return this.answer(
      unique,
      repeats,
      unique.filter((r) => keys.has(readingKey(r.deviceId, r.seq))),
    );
  }

  /** The unnest statement: stores the new ones of `unique`, returns their keys. */
  private insertByStatement(unique: readonly Reading[]) {
    // Times travel as epoch-ms numbers and `extra` as one JSON array: PostgreSQL parses
    // float arrays and one JSON document far faster than thousands of timestamp strings.
    const n = unique.length;
    const device: string[] = new Array(n),
      seq: number[] = new Array(n),
      ts: number[] = new Array(n),
      rcv: number[] = new Array(n);
    const cols = Array.from({ length: 10 }, () => new Array<number | null>(n));
    const extra: (Record<string, unknown> | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = unique[i]!;
      device[i] = r.deviceId;
      seq[i] = r.seq;
      ts[i] = r.ts;
      rcv[i] = r.receivedAt;
      cols[0]![i] = num(r.lat);
      cols[1]![i] = num(r.lon);
      cols[2]![i] = real(r.accM);
      cols[3]![i] = real(r.tempC);
      cols[4]![i] = real(r.humidityPct);
      cols[5]![i] = real(r.shockG);
      cols[6]![i] = real(r.tiltDeg);
      cols[7]![i] = real(r.lightLux);
      cols[8]![i] = real(r.batteryPct);
      cols[9]![i] = real(r.rssiDbm);
      extra[i] = r.extra ?? null;
    }
    // telemetry's own key (device_id, seq, ts) stays as it was; with the identity row
    // inserted first it only ever meets rows stored before migration 021.
    return this.sql.query<{ d: string; s: number }>(
      `with u as materialized (
         select * from unnest($1::text[], $2::int[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::real[],
           $8::real[], $9::real[], $10::real[], $11::real[], $12::real[], $13::real[], $14::real[])
           with ordinality as u(d, s, t, r, la, lo, a, te, h, sh, ti, li, b, rs, i)
       ), ids as (
         insert into telemetry_ids (device_id, seq, ts)
         select u.d, u.s, to_timestamp(u.t / 1000.0) from u order by u.i
         on conflict (device_id, seq) do nothing
         returning device_id, seq
       )
       insert into telemetry (device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct,
         shock_g, tilt_deg, light_lux, battery_pct, rssi_dbm, extra)
       select u.d, u.s, to_timestamp(u.t / 1000.0), to_timestamp(u.r / 1000.0), u.la, u.lo, u.a, u.te, u.h,
         u.sh, u.ti, u.li, u.b, u.rs, nullif(($15::jsonb) -> (u.i::int - 1), 'null'::jsonb)
       from u join ids on ids.device_id = u.d and ids.seq = u.s
       on conflict (device_id, seq, ts) do nothing
       returning device_id as d, seq as s`,
      [device, seq, ts, rcv, ...cols, JSON.stringify(extra)],
    );
  }

  /** What a batch stored and every duplicate with the ts of its stored copy. */
  private async answer(
    unique: readonly Reading[],
    repeats: readonly Reading[],
    inserted: readonly Reading[],
  ): Promise<InsertedReadings> {
    if (inserted.length === unique.length && repeats.length === 0) return { inserted: [...unique], duplicates: [] };
    const skipped: Reading[] = [];
    // The ts each duplicate's stored copy has: this batch's own for a repeat of a new
    // reading, otherwise the one in telemetry_ids (only looked up when there are duplicates).
    const storedTs = new Map<string, number>();
    for (const r of inserted) storedTs.set(readingKey(r.deviceId, r.seq), r.ts);
    for (const r of unique) if (!storedTs.has(readingKey(r.deviceId, r.seq))) skipped.push(r);
    const lookup = [...skipped, ...repeats.filter((r) => !storedTs.has(readingKey(r.deviceId, r.seq)))];
    if (lookup.length) {
      const found = await this.sql.query<{ d: string; s: number; t: number }>(
        `select i.device_id as d, i.seq as s, round(extract(epoch from i.ts) * 1000)::float8 as t
         from telemetry_ids i join unnest($1::text[], $2::int[]) as k(d, s) on i.device_id = k.d and i.seq = k.s`,
        [lookup.map((r) => r.deviceId), lookup.map((r) => r.seq)],
      );
      for (const f of found.rows) storedTs.set(readingKey(f.d, f.s), f.t);
    }
    const duplicates = [...skipped, ...repeats].map((reading) => ({
      reading,
      // A row stored before migration 021 that its backfill did not cover cannot happen; if
      // it does, the reading counts as a plain resend rather than as a conflict.
      storedTs: storedTs.get(readingKey(reading.deviceId, reading.seq)) ?? reading.ts,
    }));
    return { inserted: [...inserted], duplicates };
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
        letters.map((l) => toStorableText(l.detail)),
        letters.map((l) => l.seq ?? null),
        letters.map((l) => toStorableText(l.raw)),
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
    // Rows locked in one order by every writer: two batches in flight never deadlock.
    const sorted = [...updates].sort((a, b) => (a.reading.deviceId < b.reading.deviceId ? -1 : 1));
    const latest = sorted.map((u) => u.reading);
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
        // A seen-only update carries -infinity: it never wins `excluded.ts >= p.ts`, so only
        // last_seen_at moves (the parcel already has a row: its stored copy made it).
        sorted.map((u) => (u.seenOnly ? '-infinity' : new Date(u.reading.ts).toISOString())),
        latest.map((r) => new Date(r.receivedAt).toISOString()),
        sorted.map((u) => (u.seenOnly ? null : num(u.reading.lat))),
        sorted.map((u) => (u.seenOnly ? null : num(u.reading.lon))),
        latest.map((r) => JSON.stringify(readingJson(r))),
        sorted.map((u) => new Date(u.lastSeenAt).toISOString()),
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

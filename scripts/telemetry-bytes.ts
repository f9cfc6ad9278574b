import { parseArgs } from 'node:util';
import { loadMigrations, migrate } from '../core/storage/migrate.ts';
import { pgliteSql, startTimescalePglite } from '../test/support/pglite.ts';

/**
 * npx tsx scripts/telemetry-bytes.ts [--devices 200] [--days 3]
 *
 * Bytes per stored reading on TimescaleDB (PGlite with TimescaleDB, the same code the
 * Timescale test runs), as inputs for docs/scale-out.md's sizing: the platform's own
 * migrations, then one reading every 5 minutes per device with drifting values (as a
 * tracker sends), written into telemetry and telemetry_ids as TelemetryRepository does;
 * measured raw, then with every chunk compressed by the table's own settings.
 */
const { values: args } = parseArgs({
  options: { devices: { type: 'string', default: '200' }, days: { type: 'string', default: '3' } },
});
const db = await startTimescalePglite();
const sql = pgliteSql(db);
// What the timescale image's init script does for POSTGRES_DB (docker-compose.yml).
await sql.query('create extension timescaledb');
await migrate(sql, await loadMigrations());
const perDevice = Number(args.days) * 288;
await sql.query(
  `insert into telemetry (device_id, seq, ts, received_at, lat, lon, acc_m, temp_c, humidity_pct, shock_g,
     tilt_deg, light_lux, battery_pct, rssi_dbm)
   select 'trk-' || lpad(d::text, 7, '0'), s, t, t + interval '2 s',
     48 + d * 0.01 + s * 0.0004, 2 + s * 0.0006, 8 + (s % 7), round((4 + sin(s / 20.0) * 2)::numeric, 1),
     round((55 + cos(s / 30.0) * 5)::numeric, 0), case when s % 50 = 0 then 2.5 else 0.1 end,
     (s % 5), case when s % 97 = 0 then 300 else 0 end, 100 - s * 0.01, -70 - (s % 9)
   from generate_series(1, $1::int) d, generate_series(1, $2::int) s,
     lateral (select now() - interval '30 days' + s * interval '5 min' as t) x`,
  [Number(args.devices), perDevice],
);
await sql.query(`insert into telemetry_ids (device_id, seq, ts) select device_id, seq, ts from telemetry`);
const one = async (q: string) => Number(Object.values((await sql.query(q)).rows[0] as object)[0]);
const rows = await one('select count(*) from telemetry');
const raw = await one(`select hypertable_size('telemetry')`);
const ids = await one(`select pg_total_relation_size('telemetry_ids')`);
await sql.query(`select compress_chunk(c, true) from show_chunks('telemetry') c`);
const compressed = await one(`select hypertable_size('telemetry')`);
const f = (b: number) => (b / rows).toFixed(1);
console.log(`${rows.toLocaleString('en-US')} readings (${args.devices} devices × ${perDevice}, one per 5 min)`);
console.log(`telemetry raw (heap + indexes): ${f(raw)} B/reading`);
console.log(
  `telemetry compressed (segmentby device_id): ${f(compressed)} B/reading (${(raw / compressed).toFixed(1)}×)`,
);
console.log(`telemetry_ids (plain table + primary key, never compressed or dropped): ${f(ids)} B/reading`);
await db.close();

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import { createPool } from '../core/storage/database.ts';
import { migrate } from '../core/storage/migrate.ts';
import { createTelemetryStore } from '../ingest/telemetry-store.ts';
import { openDatabase } from '../platform/database.ts';
import { loadEnv } from '../core/config/env.ts';

/**
 * The ingest write path alone: `createTelemetryStore` on an embedded PostgreSQL, fed
 * batches of readings the way the BatchWriter does (two in flight), no broker, no parsing,
 * no rules. Prints readings/s for new readings and for a second pass of resends (duplicates),
 * and the CPU time spent per 1,000 readings by this process and by the PostgreSQL backends
 * serving it (from /proc): on a shared machine wall time swings with the neighbours' load,
 * CPU time much less.
 *
 *   npx tsx scripts/bench-store.ts [--readings 300000] [--batch 2000] [--devices 100]
 */
const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '300000' },
    batch: { type: 'string', default: '2000' },
    devices: { type: 'string', default: '100' },
  },
});
const total = Number(args.readings);
const batchSize = Number(args.batch);
const devices = Number(args.devices);

const dir = await mkdtemp(join(tmpdir(), 'sampletrack-bench-store-'));
const { chmod } = await import('node:fs/promises');
await chmod(dir, 0o777);
const env = loadEnv({
  DATA_DIR: dir,
  EMBEDDED_PG_PORT: String(20000 + Math.floor(Math.random() * 12000)),
  DEMO_FLEET: '0',
});
const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
} as never;
const db = await openDatabase(env, silent);
// Two connections, both busy in every pass (two batches in flight), so none idles out.
const pool = createPool(db.url, 2);
try {
  await migrate(pool);
  const ids = Array.from({ length: devices }, (_, i) => `trk-store-${String(i).padStart(5, '0')}`);
  await pool.query(`insert into devices (id, secret_hash) select unnest($1::text[]), 'x'`, [ids]);
  const base = Date.now() - 3600_000;
  const reading = (i: number): Reading => {
    const deviceId = ids[i % devices]!;
    const seq = Math.floor(i / devices);
    return {
      deviceId,
      seq,
      ts: base + seq * 1000,
      receivedAt: Date.now(),
      lat: 34.05 + (seq % 1000) * 1e-4,
      lon: -118.24,
      accM: 8,
      tempC: 4 + (seq % 50) / 10,
      humidityPct: 45,
      shockG: 0.2,
      tiltDeg: 3,
      lightLux: 0,
      batteryPct: 90,
      rssiDbm: -91,
      extra: { simSentAt: base },
    };
  };
  const batches: Reading[][] = [];
  for (let i = 0; i < total; i += batchSize)
    batches.push(Array.from({ length: Math.min(batchSize, total - i) }, (_, k) => reading(i + k)));

  // Every connection of the pool opened now, so their backends' CPU time can be read.
  const held = await Promise.all(Array.from({ length: 2 }, () => pool.connect()));
  const pids = await Promise.all(
    held.map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid),
  );
  for (const c of held) c.release();
  const backendCpuMs = async () => {
    let ticks = 0;
    for (const pid of pids) {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  };
  const pass = async (label: string) => {
    const store = createTelemetryStore(pool);
    const cpu0 = process.cpuUsage();
    const pg0 = await backendCpuMs();
    let stored = 0;
    let duplicates = 0;
    const started = performance.now();
    // Two batches in flight, as the BatchWriter writes them.
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const r = await store({ readings: batches[next++]!, deadLetters: [] });
        stored += r.stored.length;
        duplicates += r.duplicates;
      }
    };
    await Promise.all([worker(), worker()]);
    const s = (performance.now() - started) / 1000;
    const node = process.cpuUsage(cpu0);
    const pgMs = (await backendCpuMs()) - pg0;
    const per1k = (ms: number) => +((ms * 1000) / total).toFixed(2);
    console.log(
      JSON.stringify({
        pass: label,
        readings: total,
        batch: batchSize,
        stored,
        duplicates,
        seconds: +s.toFixed(2),
        readingsPerS: Math.round(total / s),
        cpuMsPer1kReadings: { node: per1k((node.user + node.system) / 1000), postgres: per1k(pgMs) },
      }),
    );
  };
  await pass('new readings');
  await pass('resends (all duplicates)');
} finally {
  await pool.end();
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}

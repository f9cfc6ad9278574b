import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPlatform } from '../platform/start-platform.ts';

/**
 * The platform's memory while a fleet uploads its backlog (issue 14): N trackers each send
 * `messages` batches of 500 readings as fast as PUBACKs come back (window 64 per tracker,
 * from a separate process, device-sim/load.ts), and this process's RSS and ingest's pending
 * readings are sampled every 100 ms. Prints peak RSS, peak pending and the throughput.
 *
 *   tsx scripts/backlog-rss.ts --server postgres://postgres@127.0.0.1:5432/postgres \
 *     [--trackers 100] [--messages 20] [--max-pending 10000]
 *
 * A database of its own is created on `--server` and dropped afterwards. Run it with
 * --max-pending 100000000 to see the figure without a bound.
 */
const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    trackers: { type: 'string', default: '100' },
    messages: { type: 'string', default: '20' },
    'max-pending': { type: 'string', default: '10000' },
    window: { type: 'string', default: '64' },
  },
});
const trackers = Number(args.trackers);
const name = `backlog_rss_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: args.server });
await admin.connect();
await admin.query(`create database "${name}"`);
const url = new URL(args.server!);
url.pathname = `/${name}`;
const dir = await mkdtemp(join(tmpdir(), 'sampletrack-rss-'));
await chmod(dir, 0o777);

const platform = await startPlatform({
  env: {
    DATABASE_URL: url.toString(),
    DATA_DIR: dir,
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    DEMO_FLEET: '0',
    FOLLOW_UP_INTERVAL_S: '0',
    LOG_LEVEL: 'warn',
    INGEST_MAX_PENDING_READINGS: args['max-pending'],
  },
});
try {
  const creds = [];
  for (let i = 0; i < trackers; i++) creds.push(await platform.provisionDevice(`trk-rss-${i}`));
  const file = join(dir, 'devices.json');
  await writeFile(file, JSON.stringify(creds));
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peakRss = baseline;
  let peakPending = 0;
  let peakHeap = 0;
  let peakBuffers = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    peakPending = Math.max(peakPending, platform.ingest.writer.pending);
  }, 100);
  const started = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'device-sim/load.ts',
        ...['--url', platform.mqttUrl, '--devices', file, '--messages', args.messages!, '--batch', '500'],
        ...['--window', args.window!, '--timeout', '900'],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load exited ${code}`))));
  });
  clearInterval(sampler);
  // The last line is the summary (a `{"connected":true}` line comes first).
  const load = JSON.parse(out.trim().split('\n').pop()!) as { readingsSent: number; readingsAcked: number };
  const seconds = (performance.now() - started) / 1000;
  const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
  console.log(
    JSON.stringify(
      {
        trackers,
        maxPending: Number(args['max-pending']),
        readingsSent: load.readingsSent,
        readingsAcked: load.readingsAcked,
        seconds: Math.round(seconds),
        readingsPerS: Math.round(load.readingsAcked / seconds),
        rssBeforeLoad: mb(baseline),
        peakRss: mb(peakRss),
        peakHeapUsed: mb(peakHeap),
        peakArrayBuffers: mb(peakBuffers),
        peakPendingSampled: peakPending,
      },
      null,
      2,
    ),
  );
} finally {
  await platform.stop();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}

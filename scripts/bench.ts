import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONDITION_PRESETS } from '../core/domain/condition/index.ts';
import { startPlatform } from '../platform/start-platform.ts';

/**
 * npm run bench: starts the platform (embedded PostgreSQL, embedded broker, ingest),
 * drives simulated trackers from a separate process (device-sim/load.ts), and prints
 * readings/s stored, publish→stored latency (the PUBACK is sent only after the commit),
 * and readings lost, counted in the database. The same load generator is run against bare
 * aedes for the ratio.
 */
const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    messages: { type: 'string', default: '300' },
    'batch-messages': { type: 'string', default: '20' },
    window: { type: 'string', default: '64' },
  },
});
const devices = Number(args.devices);
const singles = Number(args.messages);
const batches = Number(args['batch-messages']);

interface LoadResult {
  sent: number; acked: number; durationMs: number; readingsSent: number; readingsAcked: number; errors: number;
  timedOut: boolean; ackLatencyMs: { p50: number; p90: number; p99: number; max: number }; messagesPerS: number; readingsPerS: number;
}

function run(cmd: string[], onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (onLine) for (const l of String(d).split('\n').filter(Boolean)) onLine(l);
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd.join(' ')} exited ${code}`))));
  });
}

const load = async (url: string, file: string, messages: number, batch: number, firstSeq: number) =>
  JSON.parse(await run(['device-sim/load.ts', '--url', url, '--devices', file, '--messages', String(messages),
    '--batch', String(batch), '--window', args.window!, '--first-seq', String(firstSeq), '--timeout', '600'])) as LoadResult;

const dir = await mkdtemp(join(tmpdir(), 'sampletrack-bench-'));
const { chmod } = await import('node:fs/promises');
await chmod(dir, 0o777);
const platform = await startPlatform({
  env: { DATA_DIR: dir, HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: '0', EMBEDDED_PG_PORT: String(20000 + Math.floor(Math.random() * 20000)),
    DEMO_FLEET: '0', LOG_LEVEL: 'warn' },
});
try {
  console.log(`provisioning ${devices} trackers, each packed in a cold-chain sample so every reading is judged by the rules…`);
  await platform.pool.query(
    `insert into products (sku, name, unit_cost, inventory_on_hand, condition_profile) values ('BENCH-COLD', 'bench', 10, 1000000, $1)`,
    [JSON.stringify(CONDITION_PRESETS['cold-chain'])]);
  const creds = [];
  for (let i = 0; i < devices; i++) {
    const device = await platform.provisionDevice(`trk-bench-${String(i).padStart(5, '0')}`);
    const sample = await platform.services.samples.create({ creator: `@bench${i}`, sku: 'BENCH-COLD' });
    await platform.services.samples.attachTracker(sample.id, device.id);
    creds.push(device);
  }
  const file = join(dir, 'devices.json');
  await writeFile(file, JSON.stringify(creds));

  // Baseline: bare aedes, same generator, same message count.
  let barePort = 0;
  const bare = spawn(process.execPath, ['--import', 'tsx', 'scripts/bare-broker.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  barePort = await new Promise<number>((resolve) => bare.stdout.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port)));
  const baseline = await load(`mqtt://127.0.0.1:${barePort}`, file, singles, 1, 0);
  bare.kill('SIGTERM');

  const countStored = async (from: number, to: number) => (await platform.pool.query<{ n: number }>(
    'select count(*)::int as n from telemetry where seq >= $1 and seq < $2', [from, to])).rows[0]!.n;

  console.log('single-reading messages…');
  const single = await load(platform.mqttUrl, file, singles, 1, 0);
  let t = performance.now();
  await platform.conditions.drain();
  const singleRulesLagMs = performance.now() - t;
  const singleStored = await countStored(0, singles);

  console.log('backlog batches of 500…');
  const batchFirst = 1_000_000;
  const backlog = await load(platform.mqttUrl, file, batches, 500, batchFirst);
  t = performance.now();
  await platform.conditions.drain();
  const backlogRulesLagMs = performance.now() - t;
  const backlogStored = await countStored(batchFirst, batchFirst + batches * 500);

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const judged = await platform.pool.query<{ n: number }>('select count(*)::int as n from condition_exceptions');
  const report = {
    machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
    trackers: devices,
    exceptionsRaised: judged.rows[0]!.n,
    bareAedes: { messagesPerS: fmt(baseline.messagesPerS), ackP50ms: baseline.ackLatencyMs.p50, ackP99ms: baseline.ackLatencyMs.p99 },
    singleReadings: {
      sent: single.readingsSent, stored: singleStored, lost: single.readingsSent - singleStored,
      storedPerS: fmt(singleStored / (single.durationMs / 1000)),
      // How long after the last PUBACK the condition rules had judged every stored reading.
      rulesCaughtUpAfterMs: Math.round(singleRulesLagMs),
      ratioToBareAedes: (single.messagesPerS / baseline.messagesPerS).toFixed(2),
      publishToStoredMs: single.ackLatencyMs,
    },
    backlogBatches: {
      sent: backlog.readingsSent, stored: backlogStored, lost: backlog.readingsSent - backlogStored,
      storedPerS: fmt(backlogStored / (backlog.durationMs / 1000)),
      rulesCaughtUpAfterMs: Math.round(backlogRulesLagMs),
      publishToStoredMs: backlog.ackLatencyMs,
    },
  };
  console.log(JSON.stringify(report, null, 2));
  if (report.singleReadings.lost !== 0 || report.backlogBatches.lost !== 0) process.exitCode = 1;
} finally {
  await platform.stop();
  await rm(dir, { recursive: true, force: true });
}

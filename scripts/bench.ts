import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Principal } from '../core/domain/auth/principal.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { CONDITION_PRESETS } from '../core/domain/condition/index.ts';
import { startPlatform, type Platform } from '../platform/start-platform.ts';

/**
 * npm run bench: starts the platform (embedded PostgreSQL, embedded broker, ingest),
 * drives simulated trackers from a separate process (device-sim/load.ts) and prints, per
 * phase (`--phase throughput|latency|all`, default all):
 *
 *  - throughput: readings/s stored, publish→stored latency (the PUBACK is sent only after
 *    the commit) and readings lost, counted in the database, for single-reading messages
 *    and backlog batches of 500; the same load against bare aedes for the ratio.
 *  - latency: a fixed offered load (`--rate`, default 1,000 readings/s, for `--seconds`)
 *    on trackers packed in samples whose profile raises a shock exception from every
 *    `--shock-every`-th reading (flapWindowMs 0: each shock its own incident), timed from
 *    the publish to the stored reading (PUBACK), to the exception's event and to the parcel
 *    update on the live WebSocket (/api/live, read by a separate process like a browser).
 *
 *   npm run bench -- --phase latency --seconds 30 [--rate 1000] [--shock-every 50]
 */
const { values: args } = parseArgs({
  options: {
    phase: { type: 'string', default: 'all' },
    devices: { type: 'string', default: '100' },
    messages: { type: 'string', default: '300' },
    'batch-messages': { type: 'string', default: '20' },
    window: { type: 'string', default: '64' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'shock-every': { type: 'string', default: '50' },
  },
});
if (!['all', 'throughput', 'latency'].includes(args.phase!)) {
  console.error('--phase is throughput, latency or all');
  process.exit(2);
}
const devices = Number(args.devices);
const singles = Number(args.messages);
const batches = Number(args['batch-messages']);

interface LoadResult {
  sent: number;
  acked: number;
  durationMs: number;
  readingsSent: number;
  readingsAcked: number;
  errors: number;
  timedOut: boolean;
  ackLatencyMs: { p50: number; p90: number; p99: number; max: number };
  messagesPerS: number;
  readingsPerS: number;
}
interface RateResult extends LoadResult {
  offeredPerS: number;
  shocks: number;
  maxScheduleLagMs: number;
}
interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
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
  JSON.parse(
    await run([
      'device-sim/load.ts',
      '--url',
      url,
      '--devices',
      file,
      '--messages',
      String(messages),
      '--batch',
      String(batch),
      '--window',
      args.window!,
      '--first-seq',
      String(firstSeq),
      '--timeout',
      '600',
    ]),
  ) as LoadResult;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Trackers, each packed in a sample of `sku`, written to a devices file for the load generator. */
async function provision(
  platform: Platform,
  dir: string,
  prefix: string,
  sku: string,
  profile: unknown,
): Promise<string> {
  await platform.pool.query(
    `insert into products (sku, name, unit_cost, inventory_on_hand, condition_profile) values ($1, 'bench', 10, 1000000, $2)`,
    [sku, JSON.stringify(profile)],
  );
  const creds = [];
  for (let i = 0; i < devices; i++) {
    const device = await platform.provisionDevice(`${prefix}-${String(i).padStart(5, '0')}`);
    const sample = await platform.services.samples.create({ creator: `@${prefix}${i}`, sku }, systemActor('bench'));
    await platform.services.samples.attachTracker(sample.id, device.id);
    creds.push(device);
  }
  const file = join(dir, `${prefix}.json`);
  await writeFile(file, JSON.stringify(creds));
  return file;
}

async function throughputPhase(platform: Platform, dir: string) {
  console.log(
    `provisioning ${devices} trackers, each packed in a cold-chain sample so every reading is judged by the rules…`,
  );
  const file = await provision(platform, dir, 'trk-bench', 'BENCH-COLD', CONDITION_PRESETS['cold-chain']);

  // Baseline: bare aedes, same generator, same message count.
  let barePort = 0;
  const bare = spawn(process.execPath, ['--import', 'tsx', 'scripts/bare-broker.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  barePort = await new Promise<number>((resolve) =>
    bare.stdout.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port)),
  );
  const baseline = await load(`mqtt://127.0.0.1:${barePort}`, file, singles, 1, 0);
  bare.kill('SIGTERM');

  const countStored = async (from: number, to: number) =>
    (
      await platform.pool.query<{ n: number }>(
        `select count(*)::int as n from telemetry where device_id like 'trk-bench-%' and seq >= $1 and seq < $2`,
        [from, to],
      )
    ).rows[0]!.n;

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

  const judged = await platform.pool.query<{ n: number }>('select count(*)::int as n from condition_exceptions');
  const report = {
    exceptionsRaised: judged.rows[0]!.n,
    bareAedes: {
      messagesPerS: fmt(baseline.messagesPerS),
      ackP50ms: baseline.ackLatencyMs.p50,
      ackP99ms: baseline.ackLatencyMs.p99,
    },
    singleReadings: {
      sent: single.readingsSent,
      stored: singleStored,
      lost: single.readingsSent - singleStored,
      storedPerS: fmt(singleStored / (single.durationMs / 1000)),
      // How long after the last PUBACK the condition rules had judged every stored reading.
      rulesCaughtUpAfterMs: Math.round(singleRulesLagMs),
      ratioToBareAedes: (single.messagesPerS / baseline.messagesPerS).toFixed(2),
      publishToStoredMs: single.ackLatencyMs,
    },
    backlogBatches: {
      sent: backlog.readingsSent,
      stored: backlogStored,
      lost: backlog.readingsSent - backlogStored,
      storedPerS: fmt(backlogStored / (backlog.durationMs / 1000)),
      rulesCaughtUpAfterMs: Math.round(backlogRulesLagMs),
      publishToStoredMs: backlog.ackLatencyMs,
    },
  };
  if (report.singleReadings.lost !== 0 || report.backlogBatches.lost !== 0) process.exitCode = 1;
  return report;
}

/** Fixed offered load; publish → stored, → exception event and → parcel update on /api/live. */
async function latencyPhase(platform: Platform, dir: string) {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const shockEvery = Number(args['shock-every']);
  console.log(`latency: provisioning ${devices} trackers in samples with a shock rule (flapWindowMs 0)…`);
  const file = await provision(platform, dir, 'trk-blat', 'BENCH-SHOCK', {
    name: 'bench-shock',
    ignoreAfterStartMs: 0,
    flapWindowMs: 0,
    // warning, below damageSeverity: a shock raises an exception but does not end the journey.
    shock: { thresholdG: 10, severity: 'warning' },
  });
  // The dashboard's view: an API token for a viewer, used by a separate WebSocket process.
  const admin =
    (await platform.services.users.createFirstAdmin(
      { email: 'bench@bench.local', name: 'Bench', password: randomBytes(18).toString('base64url') },
      systemActor('bench'),
    )) ?? (await platform.services.users.list()).find((u) => u.role === 'admin')!;
  const owner: Principal = {
    userId: admin.id,
    email: admin.email,
    name: admin.name,
    userRole: 'admin',
    role: 'admin',
    via: 'session',
  };
  const { token } = await platform.services.users.createToken(
    owner,
    { name: 'bench live', role: 'viewer' },
    systemActor('bench'),
  );
  const since = Date.now();
  const listener = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/live-latency.ts',
      '--url',
      `${platform.httpUrl.replace(/^http/, 'ws')}/api/live`,
      '--token',
      token,
      '--since',
      String(since),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  let buffered = '';
  let onLine: (() => void) | undefined;
  listener.stdout.on('data', (d: Buffer) => {
    buffered += String(d);
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts.filter(Boolean));
    onLine?.();
  });
  const nextLine = () =>
    new Promise<string>((resolve) => {
      const check = () => {
        if (lines.length) {
          onLine = undefined;
          resolve(lines.shift()!);
        }
      };
      onLine = check;
      check();
    });
  await nextLine(); // {"ready":true}

  console.log(`latency: offering ${fmt(rate)} readings/s for ${seconds} s, a shock every ${shockEvery} readings…`);
  const result = JSON.parse(
    await run([
      'device-sim/load.ts',
      '--url',
      platform.mqttUrl,
      '--devices',
      file,
      '--rate',
      String(rate),
      '--seconds',
      String(seconds),
      '--shock-every',
      String(shockEvery),
      '--timeout',
      '120',
    ]).catch((err: unknown) => {
      listener.kill('SIGKILL');
      throw err;
    }),
  ) as RateResult;
  const t = performance.now();
  await platform.conditions.drain();
  const rulesCaughtUpAfterMs = Math.round(performance.now() - t);
  await new Promise((r) => setTimeout(r, 1000)); // the live hub's coalescing window and the socket
  listener.kill('SIGTERM');
  const live = JSON.parse(await nextLine()) as {
    messages: number;
    exceptionEventMs: Percentiles;
    parcelUpdateMs: Percentiles;
  };
  const stored = (
    await platform.pool.query<{ n: number }>(
      `select count(*)::int as n from telemetry where device_id like 'trk-blat-%'`,
    )
  ).rows[0]!.n;
  const raised = (
    await platform.pool.query<{ n: number }>(
      `select count(*)::int as n from condition_exceptions where device_id like 'trk-blat-%' and rule = 'shock'`,
    )
  ).rows[0]!.n;
  const report = {
    offeredPerS: result.offeredPerS,
    seconds,
    sent: result.readingsSent,
    stored,
    lost: result.readingsSent - stored,
    storedPerS: fmt(stored / (result.durationMs / 1000)),
    senderMaxScheduleLagMs: result.maxScheduleLagMs,
    shocksSent: result.shocks,
    shockExceptionsRaised: raised,
    exceptionEventsSeenLive: live.exceptionEventMs.n,
    rulesCaughtUpAfterMs,
    publishToStoredMs: result.ackLatencyMs,
    publishToExceptionEventMs: live.exceptionEventMs,
    publishToParcelUpdateMs: live.parcelUpdateMs,
    targetP99Ms: 1000,
    metTarget: live.exceptionEventMs.n > 0 && live.exceptionEventMs.p99 <= 1000,
  };
  if (report.lost !== 0 || raised !== result.shocks) process.exitCode = 1;
  return report;
}

const dir = await mkdtemp(join(tmpdir(), 'sampletrack-bench-'));
const { chmod } = await import('node:fs/promises');
await chmod(dir, 0o777);
const platform = await startPlatform({
  env: {
    DATA_DIR: dir,
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    EMBEDDED_PG_PORT: String(20000 + Math.floor(Math.random() * 12000)),
    DEMO_FLEET: '0',
    LOG_LEVEL: 'warn',
  },
});
try {
  const report: Record<string, unknown> = {
    machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
    trackers: devices,
  };
  if (args.phase !== 'latency') report.throughput = await throughputPhase(platform, dir);
  if (args.phase !== 'throughput') report.latency = await latencyPhase(platform, dir);
  console.log(JSON.stringify(report, null, 2));
} finally {
  await platform.stop();
  await rm(dir, { recursive: true, force: true });
}

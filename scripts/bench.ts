import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Principal } from '../core/domain/auth/principal.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { CONDITION_PRESETS } from '../core/domain/condition/index.ts';
import { startPlatform, type Platform } from '../platform/start-platform.ts';
import { postmasterPid, processCpuUs, selfCpuUs, serverCpuUs } from './bench-cpu.ts';

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
 *
 * Every phase also reports CPU µs per stored reading (from the moment every tracker is
 * connected to the rules catching up): the platform process (all threads), the database
 * server (postmaster and its backends) and the load generator apart, and for bare aedes its
 * broker process. Rates fall when the machine is busy; CPU per reading barely moves, so
 * compare runs by it. The connects are left out (npm run bench:connections measures them),
 * and so is a warm-up before the throughput phase (`--warmup` messages per tracker, single
 * readings, then a tenth as many batches; 0: none): without it the first phase also paid
 * for compiling the platform's hot paths, about a second of CPU.
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
    warmup: { type: 'string', default: '50' },
    // A folder: a V8 CPU profile of the platform's main thread per phase, over the measured window.
    profile: { type: 'string' },
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
  /** The generator's own CPU over the run, µs. */
  cpuUs: number;
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

/** The last line a child printed (load.ts: its summary, after a `{"connected":true}` line). */
const lastLine = (out: string) => out.trim().split('\n').pop()!;
const isConnectedLine = (line: string) => line === '{"connected":true}';

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

const load = async (
  url: string,
  file: string,
  messages: number,
  batch: number,
  firstSeq: number,
  onConnected?: () => void,
) =>
  JSON.parse(
    lastLine(
      await run(
        [
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
        ],
        (line) => isConnectedLine(line) && onConnected?.(),
      ),
    ),
  ) as LoadResult;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

let postmaster = 0;
interface Cpu {
  platformUs: number;
  databaseUs: number;
}
/**
 * CPU the platform process and the database server spent while `fn` ran, from the moment
 * it calls `start` (every tracker connected) on.
 */
async function measured<T>(phase: string, fn: (start: () => void) => Promise<T>): Promise<{ result: T; cpu: Cpu }> {
  let p0 = selfCpuUs();
  let d0 = serverCpuUs(postmaster);
  const result = await fn(() => {
    if (args.profile) profiler.start();
    p0 = selfCpuUs();
    d0 = serverCpuUs(postmaster);
  });
  const cpu = { platformUs: selfCpuUs() - p0, databaseUs: serverCpuUs(postmaster) - d0 };
  if (args.profile) await profiler.stop(join(args.profile, `${phase}.cpuprofile`));
  return { result, cpu };
}

/** The inspector's sampling profiler on this (the platform's) main thread. */
const profiler = (() => {
  const session = new Session();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  let running = false;
  return {
    start() {
      if (!running) session.connect();
      running = true;
      void post('Profiler.enable').then(() => post('Profiler.start'));
    },
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      await mkdir(args.profile!, { recursive: true });
      await writeFile(file, JSON.stringify(profile));
      console.log(`CPU profile: ${file} (node scripts/profile-summary.ts ${file})`);
    },
  };
})();
/** µs per reading, one decimal. */
const per = (us: number, readings: number) => (readings ? Math.round((us / readings) * 10) / 10 : 0);
const cpuPerReading = (cpu: Cpu, loadGenUs: number, readings: number) => ({
  platform: per(cpu.platformUs, readings),
  database: per(cpu.databaseUs, readings),
  platformPlusDatabase: per(cpu.platformUs + cpu.databaseUs, readings),
  loadGenerator: per(loadGenUs, readings),
});

interface Row {
  phase: string;
  readings: number;
  perS: number;
  ratio?: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  lost?: number;
  cpu: { platform: number; database?: number; loadGenerator: number };
}
const rows: Row[] = [];

/** The figures side by side, after the JSON. */
function printTable() {
  const head = ['phase', 'readings', 'stored/s', 'x bare', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'lost'];
  const cpuHead = ['platform µs/rd', 'db µs/rd', 'both µs/rd', 'loadgen µs/rd'];
  const cells = rows.map((r) => [
    r.phase,
    fmt(r.readings),
    fmt(r.perS),
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    ...[r.latency.p50, r.latency.p90, r.latency.p99, r.latency.max].map((v) => v.toFixed(1)),
    r.lost === undefined ? '' : String(r.lost),
    r.cpu.platform.toFixed(1),
    r.cpu.database === undefined ? '' : r.cpu.database.toFixed(1),
    r.cpu.database === undefined ? '' : (r.cpu.platform + r.cpu.database).toFixed(1),
    r.cpu.loadGenerator.toFixed(1),
  ]);
  const all = [[...head, ...cpuHead], ...cells];
  const width = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ');
  console.log(`\n${line(all[0]!)}\n${width.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  console.log(
    '\nlatency: publish → PUBACK (after the commit); bare aedes row: platform µs/rd is the bare broker process',
  );
}

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
  let bare0 = processCpuUs(bare.pid!);
  const baseline = await load(`mqtt://127.0.0.1:${barePort}`, file, singles, 1, 0, () => {
    bare0 = processCpuUs(bare.pid!);
  });
  const bareUs = processCpuUs(bare.pid!) - bare0;
  bare.kill('SIGTERM');

  const countStored = async (from: number, to: number) =>
    (
      await platform.pool.query<{ n: number }>(
        `select count(*)::int as n from telemetry where device_id like 'trk-bench-%' and seq >= $1 and seq < $2`,
        [from, to],
      )
    ).rows[0]!.n;

  const warmup = Number(args.warmup);
  if (warmup > 0) {
    console.log('warm-up (not counted)…');
    await load(platform.mqttUrl, file, warmup, 1, 2_000_000);
    await load(platform.mqttUrl, file, Math.ceil(warmup / 10), 500, 3_000_000);
    await platform.conditions.drain();
  }

  console.log('single-reading messages…');
  let t = 0;
  const { result: single, cpu: singleCpu } = await measured('single', async (start) => {
    const r = await load(platform.mqttUrl, file, singles, 1, 0, start);
    t = performance.now();
    await platform.conditions.drain();
    return r;
  });
  const singleRulesLagMs = performance.now() - t;
  const singleStored = await countStored(0, singles);

  console.log('backlog batches of 500…');
  const batchFirst = 1_000_000;
  const { result: backlog, cpu: backlogCpu } = await measured('batches', async (start) => {
    const r = await load(platform.mqttUrl, file, batches, 500, batchFirst, start);
    t = performance.now();
    await platform.conditions.drain();
    return r;
  });
  const backlogRulesLagMs = performance.now() - t;
  const backlogStored = await countStored(batchFirst, batchFirst + batches * 500);

  const judged = await platform.pool.query<{ n: number }>('select count(*)::int as n from condition_exceptions');
  const report = {
    exceptionsRaised: judged.rows[0]!.n,
    bareAedes: {
      messagesPerS: fmt(baseline.messagesPerS),
      ackP50ms: baseline.ackLatencyMs.p50,
      ackP99ms: baseline.ackLatencyMs.p99,
      cpuUsPerReading: {
        broker: per(bareUs, baseline.readingsAcked),
        loadGenerator: per(baseline.cpuUs, baseline.readingsAcked),
      },
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
      cpuUsPerReading: cpuPerReading(singleCpu, single.cpuUs, singleStored),
    },
    backlogBatches: {
      sent: backlog.readingsSent,
      stored: backlogStored,
      lost: backlog.readingsSent - backlogStored,
      storedPerS: fmt(backlogStored / (backlog.durationMs / 1000)),
      rulesCaughtUpAfterMs: Math.round(backlogRulesLagMs),
      publishToStoredMs: backlog.ackLatencyMs,
      cpuUsPerReading: cpuPerReading(backlogCpu, backlog.cpuUs, backlogStored),
    },
  };
  const bareRow = report.bareAedes.cpuUsPerReading;
  rows.push(
    {
      phase: 'bare aedes, single',
      readings: baseline.readingsAcked,
      perS: baseline.readingsPerS,
      ratio: 1,
      latency: baseline.ackLatencyMs,
      lost: baseline.readingsSent - baseline.readingsAcked,
      cpu: { platform: bareRow.broker, loadGenerator: bareRow.loadGenerator },
    },
    {
      phase: 'platform, single',
      readings: singleStored,
      perS: singleStored / (single.durationMs / 1000),
      ratio: single.messagesPerS / baseline.messagesPerS,
      latency: single.ackLatencyMs,
      lost: report.singleReadings.lost,
      cpu: report.singleReadings.cpuUsPerReading,
    },
    {
      phase: 'platform, batches of 500',
      readings: backlogStored,
      perS: backlogStored / (backlog.durationMs / 1000),
      ratio: backlog.readingsPerS / baseline.readingsPerS,
      latency: backlog.ackLatencyMs,
      lost: report.backlogBatches.lost,
      cpu: report.backlogBatches.cpuUsPerReading,
    },
  );
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
  let t = 0;
  const { result: out, cpu } = await measured('latency', async (start) => {
    const r = await run(
      [
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
      ],
      (line) => isConnectedLine(line) && start(),
    ).catch((err: unknown) => {
      listener.kill('SIGKILL');
      throw err;
    });
    t = performance.now();
    await platform.conditions.drain();
    return r;
  });
  const result = JSON.parse(lastLine(out)) as RateResult;
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
    cpuUsPerReading: cpuPerReading(cpu, result.cpuUs, stored),
    publishToExceptionEventMs: live.exceptionEventMs,
    publishToParcelUpdateMs: live.parcelUpdateMs,
    targetP99Ms: 1000,
    metTarget: live.exceptionEventMs.n > 0 && live.exceptionEventMs.p99 <= 1000,
  };
  rows.push({
    phase: `platform, ${fmt(result.offeredPerS)}/s offered`,
    readings: stored,
    perS: stored / (result.durationMs / 1000),
    latency: result.ackLatencyMs,
    lost: report.lost,
    cpu: report.cpuUsPerReading,
  });
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
  postmaster = await postmasterPid((sql) => platform.pool.query<{ pid: number }>(sql));
  const report: Record<string, unknown> = {
    machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
    trackers: devices,
  };
  if (args.phase !== 'latency') report.throughput = await throughputPhase(platform, dir);
  if (args.phase !== 'throughput') report.latency = await latencyPhase(platform, dir);
  console.log(JSON.stringify(report, null, 2));
  printTable();
} finally {
  await platform.stop();
  await rm(dir, { recursive: true, force: true });
}

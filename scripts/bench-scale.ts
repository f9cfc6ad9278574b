import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import pg from 'pg';
import { planPartitions } from '../ingest/partition-plan.ts';
import { declareTopology, partitionQueue } from '../ingest/sources/amqp-topology.ts';
import { startRabbit } from '../test/support/rabbitmq.ts';
import { postmasterPid, processCpuUs, serverCpuUs } from './bench-cpu.ts';
import { cpuBudget, pinToCpus, type CpuBudget } from './cpu-budget.ts';

/**
 * `npm run bench:scale`: readings/s stored by one ingest worker process, then by two, from
 * the same engine (a RabbitMQ node of its own) into the machine's PostgreSQL
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres; a database of its
 * own is created and dropped per phase), with CPU µs per reading of the workers, the
 * database and the engine from /proc.
 *
 * Fair start: the queues are filled first while the workers run without partitions (the
 * leases are parked under a placeholder owner); then the leases are handed to the workers in
 * one statement, and the rate is read between 10 % and 90 % stored, so neither process
 * start-up nor the last stragglers count.
 *
 * `--worker-cpu 0.25` gives each worker a CPU budget of its own (a cgroup quota, as a
 * container's limit or a node of its own would), put on at the hand-out: on a 2-core box
 * whose engine and database share the cores, it tells whether a second worker adds what the
 * first has, instead of measuring what the box has left. `--worker-cpuset 0` also pins the
 * workers to core 0, so two workers never run at the same moment on the box's two cores
 * (as workers on nodes of their own would not) and the engine and database have the other
 * core to themselves. `worker cores` is what the workers used over the window; a worker at
 * its budget is the bottleneck.
 */
const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '60000' },
    devices: { type: 'string', default: '400' },
    partitions: { type: 'string', default: '8' },
    batch: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1,2' },
    'worker-cpu': { type: 'string' },
    'worker-cpuset': { type: 'string' },
  },
});
const READINGS = Number(args.readings);
const DEVICES = Number(args.devices);
const PARTITIONS = Number(args.partitions);
const BATCH = Number(args.batch);
const WORKER_CPU = args['worker-cpu'] === undefined ? undefined : Number(args['worker-cpu']);
const WORKER_CPUSET = args['worker-cpuset'];
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const rabbit = await startRabbit();
const beamPid = rabbit.pid();
const results: Record<string, number | string>[] = [];

try {
  for (const w of args.workers.split(',').map(Number)) results.push(await phase(w));
} finally {
  await rabbit.close();
}

console.log(
  `\nscale-out bench: ${READINGS} readings from ${DEVICES} trackers, ${BATCH} per message, ${PARTITIONS} partitions, ` +
    (WORKER_CPU === undefined ? 'workers unbounded' : `each worker within ${WORKER_CPU} of a core`) +
    (WORKER_CPUSET === undefined ? '' : `, workers on CPUs ${WORKER_CPUSET}`),
);
console.table(results);
// Repeated phases (`--workers 1,2,1,2,1,2`): the median of each worker count, so one phase
// that shared the box with a load spike does not decide the ratio.
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const rate = new Map<number, number[]>();
for (const r of results) rate.set(Number(r.workers), [...(rate.get(Number(r.workers)) ?? []), Number(r['readings/s'])]);
const counts = [...rate.keys()].sort((a, b) => a - b);
if (counts.length >= 2) {
  const [lo, hi] = [counts[0]!, counts.at(-1)!];
  const [one, many] = [median(rate.get(lo)!), median(rate.get(hi)!)];
  console.log(
    `ratio ${hi} workers / ${lo} (median of ${rate.get(hi)!.length} and ${rate.get(lo)!.length}): ${(many / one).toFixed(2)}×`,
  );
}

async function phase(workerCount: number): Promise<Record<string, number | string>> {
  const name = `bench_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = withDb(SERVER, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'sampletrack-bench-scale-'));
  const procs: ChildProcess[] = [];
  const budgets: CpuBudget[] = [];
  try {
    const ids = Array.from({ length: DEVICES }, (_, i) => `trk-sc-${String(i).padStart(5, '0')}`);
    const workerIds = Array.from({ length: workerCount }, (_, i) => `bench-w${i + 1}`);
    // One after the other: the first one migrates the new database.
    const registered = async () =>
      Number(
        (
          await pool
            .query<{ n: string }>('select count(*) as n from ingest_workers')
            .catch(() => ({ rows: [{ n: '0' }] }))
        ).rows[0]!.n,
      );
    for (const id of workerIds) {
      procs.push(startWorker(id, url, dir));
      await waitUntil(async () => (await registered()) >= procs.length, 180_000);
    }
    // Park every partition under a placeholder, so nobody consumes while the queues fill.
    await pool.query(`update ingest_partition_leases set worker_id = 'parked', expires_at = now() + interval '1 hour'`);
    await pool.query(
      `insert into ingest_partition_leases (partition, worker_id, expires_at)
       select p, 'parked', now() + interval '1 hour' from generate_series(0, $1 - 1) p
       on conflict (partition) do update set worker_id = 'parked', expires_at = excluded.expires_at`,
      [PARTITIONS],
    );
    await sleep(1500);
    await pool.query(
      `insert into devices (id, secret_hash, label) select unnest($1::text[]), 'bench', null on conflict do nothing`,
      [ids],
    );
    await fill(ids);

    // Hand the partitions out as the balancer would, in one statement: t0.
    const owners: { worker: string; partition: number }[] = [];
    const taken: number[] = [];
    for (const wid of workerIds) {
      const plan = planPartitions({ partitions: PARTITIONS, consuming: [], mine: [], taken, liveWorkers: workerCount });
      for (const p of plan.claim) {
        owners.push({ worker: wid, partition: p });
        taken.push(p);
      }
    }
    // A database on another machine has no /proc here: its CPU is then not reported.
    const postmaster = await postmasterPid((q) => pool.query(q)).catch(() => undefined);
    const stored = async () =>
      Number((await pool.query<{ n: string }>('select count(*) as n from telemetry')).rows[0]!.n);
    const cpu = () => ({
      workers: procs.reduce((s, p) => s + processCpuUs(p.pid!), 0),
      db: postmaster === undefined ? Number.NaN : serverCpuUs(postmaster),
      engine: processCpuUs(beamPid),
      at: performance.now(),
    });
    procs.forEach((p, i) => {
      if (WORKER_CPU !== undefined) {
        const budget = cpuBudget(`sampletrack-bench-${name}-${workerIds[i]}`, WORKER_CPU);
        budgets.push(budget);
        budget.add(p.pid!);
      }
      if (WORKER_CPUSET !== undefined) pinToCpus(p.pid!, WORKER_CPUSET);
    });
    await pool.query(
      `update ingest_partition_leases l set worker_id = o.worker, expires_at = now() + interval '1 minute'
         from unnest($1::text[], $2::int[]) as o(worker, partition) where l.partition = o.partition`,
      [owners.map((o) => o.worker), owners.map((o) => o.partition)],
    );
    let from: ReturnType<typeof cpu> | undefined;
    let fromN = 0;
    let to: ReturnType<typeof cpu> | undefined;
    let toN = 0;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const n = await stored();
      if (!from && n >= READINGS * 0.1) [from, fromN] = [cpu(), n];
      if (from && n >= READINGS * 0.9) {
        [to, toN] = [cpu(), n];
        break;
      }
      if (Date.now() > deadline) throw new Error(`only ${n} of ${READINGS} stored`);
      // Counted and CPU read at the same moment, so the window needs no exact edges; a
      // count(*) over the growing table is the bench's own load on the database, kept rare.
      await sleep(250);
    }
    await waitUntil(async () => (await stored()) >= READINGS, 120_000);
    const n = toN - fromN;
    const s = (to.at - from.at) / 1000;
    const per = (us: number) => Number((us / n).toFixed(1));
    return {
      workers: workerCount,
      'readings/s': Math.round(n / s),
      'worker cores': Number(((to.workers - from.workers) / 1e6 / s).toFixed(2)),
      // Each worker's share of the readings, by the partitions it held (the hash spreads
      // trackers over partitions unevenly): a worker that runs dry early leaves the other alone.
      split: await shares(pool, owners),
      'worker µs/reading': per(to.workers - from.workers),
      'db µs/reading': per(to.db - from.db),
      'engine µs/reading': per(to.engine - from.engine),
      // Each commit is one transaction: its id is every stored row's xmin.
      'readings/commit': Math.round(
        Number(
          (await pool.query<{ r: string }>(`select count(*)::float / count(distinct xmin::text) as r from telemetry`))
            .rows[0]!.r,
        ),
      ),
      stored: await stored(),
    };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    for (const b of budgets) b.close();
    await pool.end();
    const c = new pg.Client({ connectionString: SERVER });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
    // Empty queues for the next phase (a phase's readings are all stored; this is belt and braces).
    const conn = await amqp.connect(rabbit.amqpUrl);
    const ch = await conn.createChannel();
    for (let p = 0; p < PARTITIONS; p++) await ch.purgeQueue(partitionQueue(p)).catch(() => undefined);
    await conn.close();
  }
}

async function shares(pool: pg.Pool, owners: { worker: string; partition: number }[]): Promise<string> {
  const { rows } = await pool.query<{ partition: number; n: string }>(
    `select d.partition, count(*) as n from telemetry join ingest_partition_devices d using (device_id) group by 1`,
  );
  const total = rows.reduce((s, r) => s + Number(r.n), 0);
  const by = new Map<string, number>();
  for (const r of rows) {
    const w = owners.find((o) => o.partition === r.partition)?.worker ?? '?';
    by.set(w, (by.get(w) ?? 0) + Number(r.n));
  }
  return [...by.values()].map((n) => `${Math.round((100 * n) / total)}%`).join('/');
}

/** Publishes the readings to amq.topic as the MQTT plugin would, with confirms. */
async function fill(ids: string[]): Promise<void> {
  const conn = await amqp.connect(rabbit.amqpUrl);
  const ch = await conn.createConfirmChannel();
  await declareTopology(ch, PARTITIONS);
  const base = Date.now() - 86_400_000;
  const perDevice = Math.ceil(READINGS / ids.length);
  let sent = 0;
  for (let seq = 1; seq <= perDevice && sent < READINGS; seq += BATCH)
    for (const id of ids) {
      if (sent >= READINGS) break;
      const readings = [];
      for (let k = 0; k < BATCH && sent < READINGS; k++, sent++)
        readings.push({
          seq: seq + k,
          ts: new Date(base + (seq + k) * 1000).toISOString(),
          tempC: 4.5,
          lat: 34.05,
          lon: -118.25,
        });
      const body = BATCH === 1 ? readings[0] : { readings };
      ch.publish('amq.topic', `trackers.${id}.telemetry`, Buffer.from(JSON.stringify(body)), { persistent: true });
      if (sent % 2000 < BATCH) await ch.waitForConfirms();
    }
  await ch.waitForConfirms();
  await conn.close();
}

function startWorker(id: string, url: string, dir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts', '--role', 'ingest'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      AMQP_URL: rabbit.amqpUrl,
      INGEST_PARTITIONS: String(PARTITIONS),
      INGEST_WORKER_ID: id,
      INGEST_LEASE_TTL_S: '2',
      HTTP_PORT: '0',
      HEALTH_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      DEMO_FLEET: '0',
      FOLLOW_UP_INTERVAL_S: '0',
      DATA_DIR: join(dir, id),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(100);
  }
}

import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool } from '../core/storage/database.ts';
import { startDemoFleet, type JournalIncident, type JournalTrip } from '../platform/demo-fleet.ts';
import { startPlatform } from '../platform/start-platform.ts';

/**
 * npm run soak -- --minutes N: the platform with the demo fleet on a fresh DATA_DIR
 * (embedded PostgreSQL and every listener on free ports, so it never meets a running
 * `npm start`), for N minutes of wall time. Then it prints what the rules raised per
 * exception type against what the demo scripted (the trips and incidents the demo fleet
 * recorded in DATA_DIR/demo-fleet.json), and checks that the alerts told the truth:
 *
 * - every critical exception belongs to a scripted incident (same sample, expected type,
 *   inside the incident's event-time window);
 * - no sample has more than one open exception per rule (one incident, one exception);
 * - every scripted incident whose window closed before the run ended was detected;
 * - every finished trip left its sample delivered (or damaged), so no journey dead-ends.
 *
 * Exits 1 when a check fails. Stops everything it started and deletes DATA_DIR (--keep
 * leaves it, to look at with the dashboard's queries).
 */
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '15' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(args.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error('--minutes must be a positive number');
  process.exit(2);
}

type ScriptedIncident = JournalIncident;
interface Journal {
  trips: JournalTrip[];
  incidents: JournalIncident[];
}

/** Statuses of a parcel still with the carrier: a finished trip must have left them. */
const ON_THE_WAY = ['requested', 'approved', 'label_created', 'dispatched', 'in_transit', 'delivery_exception'];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });

const dir = await mkdtemp(join(tmpdir(), 'sampletrack-soak-'));
await chmod(dir, 0o777); // embedded PostgreSQL runs as `postgres` when we are root
const env = {
  DATA_DIR: dir,
  HTTP_PORT: '0',
  MQTT_PORT: '0',
  MQTT_WS_PORT: '0',
  MQTTS_PORT: '0',
  EMBEDDED_PG_PORT: String(await freePort()),
  DEMO_FLEET: process.env.DEMO_FLEET ?? '12',
  DEMO_INTERVAL_S: process.env.DEMO_INTERVAL_S,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const startedAt = Date.now();
console.log(`soak: ${minutes} min, DATA_DIR ${dir}`);
const platform = await startPlatform({ env });
let fleet: { stop(): Promise<void> } | undefined;
let interrupted = false;
const stopEarly = () => {
  interrupted = true;
};
process.once('SIGINT', stopEarly);
process.once('SIGTERM', stopEarly);
try {
  fleet = await startDemoFleet(platform);
  console.log(`platform on ${platform.httpUrl}, trackers on ${platform.mqttUrl}`);
  const endAt = startedAt + minutes * 60_000;
  while (Date.now() < endAt && !interrupted) {
    await sleep(Math.min(60_000, endAt - Date.now()), () => interrupted);
    const open = await one(
      platform.pool,
      `select count(*)::int as n from condition_exceptions where status in ('open', 'acknowledged') and severity = 'critical'`,
    );
    const readings = await one(platform.pool, 'select count(*)::int as n from telemetry');
    console.log(
      `  ${((Date.now() - startedAt) / 60_000).toFixed(1)} min: ${readings} readings stored, ${open} open critical exceptions`,
    );
  }
  await fleet?.stop();
  fleet = undefined;
  await platform.ingest.writer.drain();
  await platform.conditions.drain();
  const ok = await report(platform.pool, await readJournal(dir), (Date.now() - startedAt) / 60_000);
  process.exitCode = ok ? 0 : 1;
} finally {
  await fleet?.stop().catch(() => {});
  await platform.stop();
  if (args.keep) console.log(`DATA_DIR kept: ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

async function readJournal(dataDir: string): Promise<Journal> {
  const file = join(dataDir, 'demo-fleet.json');
  const stored = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Partial<Journal> | unknown[]) : [];
  // Before the demo recorded its trips (an earlier demo-fleet.json is a list of trackers), nothing was scripted.
  return Array.isArray(stored)
    ? { trips: [], incidents: [] }
    : { trips: stored.trips ?? [], incidents: stored.incidents ?? [] };
}

interface ExceptionRow {
  id: string;
  sampleId: string;
  rule: string;
  type: string;
  severity: string;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

/** Prints the figures and the checks; true when every check passes. */
async function report(pool: Pool, journal: Journal, ranMin: number): Promise<boolean> {
  const { rows: exceptions } = await pool.query<ExceptionRow>(
    `select id::text, sample_id as "sampleId", rule, type, severity, status, started_at as "startedAt", ended_at as "endedAt"
     from condition_exceptions order by id`,
  );
  const { rows: alerts } = await pool.query<{ type: string; kind: string; n: number }>(
    `select e.type, a.kind, count(*)::int as n from alerts a join condition_exceptions e on e.id = a.exception_id
     where a.severity = 'critical' group by 1, 2`,
  );

  const byType = new Map<
    string,
    { opened: number; ended: number; open: number; retracted: number; critical: number; alerts: number }
  >();
  for (const e of exceptions) {
    const t = byType.get(e.type) ?? { opened: 0, ended: 0, open: 0, retracted: 0, critical: 0, alerts: 0 };
    t.opened++;
    if (e.endedAt) t.ended++;
    if (e.status === 'retracted') t.retracted++;
    else if (!e.endedAt && e.status !== 'resolved') t.open++;
    if (e.severity === 'critical') t.critical++;
    byType.set(e.type, t);
  }
  for (const a of alerts) {
    const t = byType.get(a.type);
    if (t) t.alerts += a.n;
  }

  console.log(
    `\nsoak ran ${ranMin.toFixed(1)} min; ${journal.trips.length} trips started, ${journal.trips.filter((t) => t.finishedAt).length} finished`,
  );
  console.log('\nexception type            opened  ended  still open  retracted  critical  critical alerts');
  for (const [type, t] of [...byType].sort((a, b) => b[1].opened - a[1].opened)) {
    console.log(
      `  ${type.padEnd(22)} ${pad(t.opened, 7)} ${pad(t.ended, 6)} ${pad(t.open, 11)} ${pad(t.retracted, 10)} ${pad(t.critical, 9)} ${pad(t.alerts, 16)}`,
    );
  }
  const totalAlerts = alerts.reduce((s, a) => s + a.n, 0);
  const openCritical = exceptions.filter(
    (e) => e.severity === 'critical' && (e.status === 'open' || e.status === 'acknowledged'),
  ).length;
  console.log(
    `  total: ${exceptions.length} exceptions, ${openCritical} critical still in the inbox, ${totalAlerts} critical alerts`,
  );

  // An exception is explained by an incident on its sample, of an expected type, starting in the window.
  const explains = (i: ScriptedIncident, e: ExceptionRow) =>
    i.sampleId === e.sampleId &&
    (i.expect as string[]).includes(e.type) &&
    e.startedAt.getTime() >= i.from &&
    e.startedAt.getTime() <= i.to;
  const live = exceptions.filter((e) => e.status !== 'retracted');
  const unexplainedCritical = live.filter(
    (e) => e.severity === 'critical' && !journal.incidents.some((i) => explains(i, e)),
  );
  const unexplainedOther = live.filter(
    (e) => e.severity !== 'critical' && e.severity !== 'info' && !journal.incidents.some((i) => explains(i, e)),
  );

  const { rows: doubled } = await pool.query<{ sampleId: string; rule: string; n: number }>(
    `select sample_id as "sampleId", rule, count(*)::int as n from condition_exceptions
     where status in ('open', 'acknowledged') group by 1, 2 having count(*) > 1 order by 3 desc`,
  );

  // An incident is due once the run's event time has passed its window on that sample's trip.
  const { rows: reached } = await pool.query<{ sampleId: string; lastTs: Date }>(
    `select st.sample_id as "sampleId", max(t.ts) as "lastTs" from shipment_trackers st
     join telemetry t on t.device_id = st.device_id group by 1`,
  );
  const lastTs = new Map(reached.map((r) => [r.sampleId, r.lastTs.getTime()]));
  const due = journal.incidents.filter((i) => (lastTs.get(i.sampleId) ?? 0) > i.to);
  const detected = journal.incidents.filter((i) => live.some((e) => explains(i, e)));
  const missed = due.filter((i) => !detected.includes(i));

  console.log(
    `\nscripted incidents: ${journal.incidents.length} (${due.length} due by the end of the run), detected: ${detected.length}`,
  );
  for (const i of journal.incidents) {
    const hit = live.filter((e) => explains(i, e));
    console.log(
      `  ${i.kind.padEnd(14)} ${i.sampleId} ${i.sku.padEnd(16)} expect ${i.expect.join('|').padEnd(26)} ${hit.length ? `detected (${hit.map((e) => `${e.type} ${e.severity}`).join(', ')})` : due.includes(i) ? 'MISSED' : 'not due yet'}`,
    );
  }
  if (unexplainedOther.length) {
    const counts = countBy(unexplainedOther.map((e) => `${e.type} ${e.severity}`));
    console.log(
      `\nwarnings no script explains (not a check; each is a false alert or an unscripted truth): ${fmtCounts(counts)}`,
    );
  }

  // A finished trip's journey is complete: the parcel was delivered (or its damage took it off the road).
  const finished = journal.trips.filter((t) => t.finishedAt !== null).map((t) => t.sampleId);
  const { rows: journeys } = await pool.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from samples where id = any($1) group by 1 order by 2 desc',
    [finished],
  );
  const stuck = journeys.filter((j) => ON_THE_WAY.includes(j.status));
  console.log(`\nfinished trips by sample status: ${journeys.map((j) => `${j.status} ${j.n}`).join(', ') || 'none'}`);

  const checks = [
    {
      name: 'every critical exception belongs to a scripted incident',
      ok: unexplainedCritical.length === 0,
      detail: `${unexplainedCritical.length} do not: ${fmtCounts(countBy(unexplainedCritical.map((e) => e.type)))}`,
    },
    {
      name: 'no sample has more than one open exception per rule',
      ok: doubled.length === 0,
      detail: `${doubled.length} (sample, rule) pairs, worst ${doubled
        .slice(0, 3)
        .map((d) => `${d.sampleId} ${d.rule} ×${d.n}`)
        .join(', ')}`,
    },
    {
      name: 'every scripted incident that is due was detected',
      ok: missed.length === 0,
      detail: `${missed.length} missed: ${missed.map((i) => `${i.kind} on ${i.sampleId}`).join(', ')}`,
    },
    {
      name: 'every finished trip left its sample delivered or damaged, not on the way',
      ok: stuck.length === 0,
      detail: stuck.map((j) => `${j.status} ${j.n}`).join(', '),
    },
  ];
  console.log('\nchecks:');
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}${c.ok ? '' : ` — ${c.detail}`}`);
  return checks.every((c) => c.ok);
}

async function one(pool: Pool, sql: string): Promise<number> {
  return (await pool.query<{ n: number }>(sql)).rows[0]!.n;
}

function sleep(ms: number, cancelled: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (cancelled() || Date.now() - started >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, 250);
  });
}

function countBy(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function fmtCounts(m: Map<string, number>): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

function pad(n: number, w: number): string {
  return String(n).padStart(w);
}

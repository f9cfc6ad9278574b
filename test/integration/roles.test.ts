import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { serverPort } from '../support/free-port.ts';
import { startTestPlatform, type TestRolePlatform } from '../support/platform.ts';
import { RoleProcess } from '../support/role-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { dispatch, label, programApi } from './sample-program.support.ts';

/**
 * Processes by role (docs/operations.md, "Roles") on one database: an api process (in this
 * test's process), two `jobs` processes and an `ingest` process, started as deployed
 * (platform/main.ts --role …).
 */

/** The outbox webhook's receiver: counts every POST per idempotency key, accepts each. */
function receiver() {
  const posts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      posts.set(key, (posts.get(key) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  return {
    posts,
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/outbox`)),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const SECRET = 'roles-test-outbox-secret-0123456789';
const hook = receiver();
let db: TestDatabase;
let api: TestRolePlatform;
let hookUrl: string;
let metricsAuth: Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'sampletrack-roles-'));
const processes: RoleProcess[] = [];

beforeAll(async () => {
  hookUrl = await hook.listen();
  db = await createTestDatabase();
  api = await startTestPlatform({}, { roles: ['api'], db });
  metricsAuth = await api.authHeaders('integration');
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  await api?.close();
  await db?.drop();
  await hook.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A process of `roles` on the test database; its health listener on a port of its own. */
async function roleProcess(roles: string, env: Record<string, string> = {}): Promise<RoleProcess> {
  const healthPort = await serverPort();
  const p = new RoleProcess(
    roles,
    {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      HEALTH_PORT: String(healthPort),
      DEMO_FLEET: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      LOG_FORMAT: 'json',
      ...env,
    },
    `http://127.0.0.1:${healthPort}`,
  );
  processes.push(p);
  return p;
}

const leaderSessions = async () =>
  (
    await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and application_name like 'sampletrack-leader:%'`,
    )
  ).rows[0]!.n;

/** Creates a sample and dispatches it: its brief and shipment confirmation are due at once. */
async function dispatchedSample(tag: string): Promise<string> {
  const program = programApi(api);
  await program.creator(`@roles.${tag}`, { contact: { email: `${tag}@example.com` } });
  await program.product(`ROLES-${tag}`);
  const { sample } = await program.request({ creator: `@roles.${tag}`, sku: `ROLES-${tag}` });
  await program.event(sample.id, label(`TRK-ROLES-${tag}`));
  await program.event(sample.id, dispatch);
  return sample.id;
}

const keysOf = async (sampleId: string) =>
  (
    await db.pool.query<{ key: string }>('select idempotency_key as key from outbox where sample_id = $1', [sampleId])
  ).rows.map((r) => r.key);

describe('--role api', () => {
  it('serves the API and runs no worker: no leader lock, no tracker input', async () => {
    const samples = await api.api<{ samples: unknown[] }>('/api/samples');
    expect(samples.status).toBe(200);
    expect(api.roles).toEqual(['api']);
    expect(api.leaders).toBeUndefined();
    expect(api.ingest).toBeUndefined();
    expect(api.mqttUrl).toBeUndefined();
    const ready = await api.api<{ ready: boolean; checks: Record<string, unknown> }>('/readyz');
    expect(ready.body).toMatchObject({ ready: true });
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'live']);
    // Nothing of the jobs role: no session holds or tries a leader lock, no advisory lock is held.
    expect(await leaderSessions()).toBe(0);
    const locks = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(locks.rows[0]!.n).toBe(0);
  });
});

describe('two --role jobs processes', () => {
  it('run each once-only job in one of them; a follow-up fires and is delivered once; after SIGKILL the other takes over', async () => {
    const env = {
      FOLLOW_UP_INTERVAL_S: '1',
      LEADER_RETRY_S: '1',
      OUTBOX_WEBHOOK_URL: hookUrl,
      OUTBOX_WEBHOOK_SECRET: SECRET,
      WEBHOOK_POLL_MS: '100',
    };
    const [a, b] = [await roleProcess('jobs', env), await roleProcess('jobs', env)];
    await Promise.all([a!.start(), b!.start()]);
    const jobs = ['digests', 'escalation', 'followUps', 'tiktok'];
    // Every job has one leader, never two: the two processes' leads are disjoint and cover all.
    const leads = await waitFor(
      async () => {
        const [la, lb] = await Promise.all([a!.leads(), b!.leads()]);
        return [...la, ...lb].sort().join() === jobs.join() && { la, lb };
      },
      30_000,
      'every job led by one process',
    );
    expect(leads.la.filter((j) => leads.lb.includes(j))).toEqual([]);
    const [leader, standby] = leads.la.includes('followUps') ? [a!, b!] : [b!, a!];
    const runs = (p: RoleProcess) => p.metric(metricsAuth, 'sampletrack_job_runs_total{job="followUps"}');

    const first = await dispatchedSample('one');
    const keys = await waitFor(
      async () => {
        const k = await keysOf(first);
        return k.length === 2 && k.every((key) => hook.posts.has(key)) && k;
      },
      30_000,
      'the first sample’s two follow-ups delivered',
    );
    // Three more scheduler rounds after delivery: a second run would have had its chance.
    const after = await runs(leader);
    await waitFor(async () => (await runs(leader)) >= after + 3, 30_000, 'three more scheduler rounds');
    expect(keys.map((k) => hook.posts.get(k))).toEqual([1, 1]);
    expect(await keysOf(first)).toHaveLength(2);
    expect(await runs(standby)).toBe(0);
    expect(await standby.metric(metricsAuth, 'sampletrack_leader{job="followUps"}')).toBe(0);
    expect(await leader.metric(metricsAuth, 'sampletrack_leader{job="followUps"}')).toBe(1);

    // The leader dies without a word; its session goes, and with it the locks.
    await leader.kill('SIGKILL');
    await waitFor(
      async () => (await standby.leads()).sort().join() === jobs.join(),
      30_000,
      'the standby to lead every job',
    );
    const second = await dispatchedSample('two');
    const keys2 = await waitFor(
      async () => {
        const k = await keysOf(second);
        return k.length === 2 && k.every((key) => hook.posts.has(key)) && k;
      },
      30_000,
      'the second sample’s follow-ups delivered by the new leader',
    );
    const after2 = await runs(standby);
    await waitFor(async () => (await runs(standby)) >= after2 + 3, 30_000, 'three more rounds of the new leader');
    expect(keys2.map((k) => hook.posts.get(k))).toEqual([1, 1]);
    expect(keys.map((k) => hook.posts.get(k))).toEqual([1, 1]);
    expect(await keysOf(second)).toHaveLength(2);
    // One leader session per job is left: the survivor's.
    expect(await leaderSessions()).toBe(jobs.length);
    await standby.kill('SIGTERM');
  }, 180_000);
});

describe('--role ingest', () => {
  it('answers only /healthz, /readyz and /metrics, and stores readings from a tracker over MQTT (embedded broker)', async () => {
    const [mqttPort, wsPort, httpPort] = [await serverPort(), await serverPort(), await serverPort()];
    const ingest = await roleProcess('ingest', {
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(wsPort),
      HTTP_PORT: String(httpPort),
    });
    await ingest.start();
    expect(await (await fetch(`${ingest.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await ingest.readiness();
    expect(Object.keys(ready!.checks).sort()).toEqual(['broker', 'database', 'ingest']);
    expect((await fetch(`${ingest.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${ingest.url}/metrics`, { headers: metricsAuth });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('sampletrack_readings_ingested_total');
    // No API here: its routes are not on the health listener, and nothing listens on HTTP_PORT.
    const samples = await fetch(`${ingest.url}/api/samples`, { headers: metricsAuth });
    expect(samples.status).toBe(404);
    expect((await samples.json()) as unknown).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    await expect(fetch(`http://127.0.0.1:${httpPort}/api/samples`)).rejects.toThrow();

    const { id, secret } = await api.provisionDevice('trk-roles-1');
    const tracker = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const base = Date.now() - 60_000;
    for (let seq = 0; seq < 20; seq++)
      await tracker.publishAsync(`trackers/${id}/telemetry`, JSON.stringify({ seq, ts: base + seq * 1000, tempC: 5 }), {
        qos: 1,
      });
    await tracker.endAsync();
    // PUBACK follows the commit: every acknowledged reading is stored already.
    const stored = await db.pool.query<{ n: number }>(
      'select count(distinct seq)::int as n from telemetry where device_id = $1',
      [id],
    );
    expect(stored.rows[0]!.n).toBe(20);
    expect(await ingest.metric(metricsAuth, 'sampletrack_readings_ingested_total')).toBe(20);
    await ingest.kill('SIGTERM');
  }, 120_000);
});

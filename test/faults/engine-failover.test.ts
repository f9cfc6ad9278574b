import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { serverPort } from '../support/free-port.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { rabbitAvailable, startRabbit, type RabbitNode } from '../support/rabbitmq.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Issue 15's fault test, with real processes: the engine (a RabbitMQ node of its own), two
 * ingest worker processes, the database. 100 trackers send 200 readings each at QoS 1; one
 * worker is killed with SIGKILL mid-stream and started again, and the engine itself is
 * killed with SIGKILL and started again. Every reading the engine acknowledged must be
 * stored exactly once, and each tracker's readings must have been judged by one worker at a
 * time, in order (INGEST_TRACE_FILE, appended by both workers in real order).
 */
const TRACKERS = 100;
const PER_TRACKER = 200;
const PARTITIONS = 8;
const TOKEN = randomBytes(18).toString('base64url');
const ROOT = join(import.meta.dirname, '..', '..');

let rabbit: RabbitNode | undefined;
let p: TestPlatform | undefined;
const workers = new Map<string, ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'sampletrack-failover-'));
const traceFile = join(dir, 'judged.log');

afterAll(async () => {
  for (const w of workers.values()) w.kill('SIGKILL');
  await p?.close();
  await rabbit?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function startWorker(name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts', '--role', 'ingest'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: p!.databaseUrl,
      AMQP_URL: rabbit!.amqpUrl,
      MQTT_URL: rabbit!.mqttUrl,
      MQTT_USERNAME: 'sampletrack',
      MQTT_PASSWORD: 'sampletrack-secret',
      INGEST_CLIENT_ID: `cfg-${name}`,
      INGEST_PARTITIONS: String(PARTITIONS),
      INGEST_WORKER_ID: name,
      INGEST_LEASE_TTL_S: '4',
      INGEST_TRACE_FILE: traceFile,
      HTTP_PORT: '0',
      HEALTH_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      DEMO_FLEET: '0',
      FOLLOW_UP_INTERVAL_S: '0',
      DATA_DIR: join(dir, name),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.set(name, child);
  return child;
}

const leasesOf = async (worker: string) =>
  Number(
    (
      await p!.pool.query<{ n: string }>(
        `select count(*) as n from ingest_partition_leases where worker_id = $1 and expires_at > now()`,
        [worker],
      )
    ).rows[0]!.n,
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!rabbitAvailable())('scale-out: engine + two ingest workers under faults', () => {
  it('loses and duplicates nothing acknowledged across a worker SIGKILL and an engine restart', async () => {
    const httpPort = await serverPort();
    rabbit = await startRabbit({ authHttpBase: `http://127.0.0.1:${httpPort}/internal/engine-auth/${TOKEN}` });
    // The API in this process: devices, and the engine's auth hook for their sign-ins.
    p = await startTestPlatform({ HTTP_PORT: String(httpPort), ENGINE_AUTH_TOKEN: TOKEN });
    const devices = [];
    for (let i = 0; i < TRACKERS; i++)
      devices.push(await p.provisionDevice(`trk-fo-${String(i).padStart(3, '0')}-${randomBytes(2).toString('hex')}`));

    startWorker('w1');
    await waitFor(async () => (await leasesOf('w1')) === PARTITIONS, 120_000, 'w1 holding every partition');
    startWorker('w2');
    await waitFor(async () => (await leasesOf('w2')) === PARTITIONS / 2, 120_000, 'w2 holding half');

    // Trackers: a persistent session, so mqtt.js resends what was not PUBACKed after a reconnect.
    const clients: MqttClient[] = [];
    for (const d of devices)
      clients.push(
        await mqtt.connectAsync(rabbit.mqttUrl, {
          clientId: d.id,
          username: d.id,
          password: d.secret,
          clean: false,
          reconnectPeriod: 500,
          connectTimeout: 10_000,
          protocolVersion: 4,
        }),
      );
    let acked = 0;
    const ackedKeys = new Set<string>();
    const sending = devices.map(async (d, i) => {
      const c = clients[i]!;
      const base = Date.now() - 3600_000;
      const pending: Promise<void>[] = [];
      for (let seq = 1; seq <= PER_TRACKER; seq++) {
        const body = JSON.stringify({ seq, ts: new Date(base + seq * 1000).toISOString(), tempC: 4 + (seq % 3) });
        pending.push(
          c.publishAsync(`trackers/${d.id}/telemetry`, body, { qos: 1 }).then(() => {
            acked++;
            ackedKeys.add(`${d.id}:${seq}`);
          }),
        );
        await sleep(60); // ≈ 1,600 readings/s from the fleet: the faults land mid-stream.
      }
      await Promise.all(pending);
    });

    const stored = async () =>
      Number(
        (await p!.pool.query<{ n: string }>(`select count(*) as n from telemetry where device_id like 'trk-fo-%'`))
          .rows[0]!.n,
      );
    await waitFor(async () => (await stored()) > 2000, 120_000, 'the stream under way');
    // 1. A worker dies without a word; its leases run out and the other takes its partitions.
    const w1 = workers.get('w1')!;
    const w1Exit = new Promise((r) => w1.once('exit', r));
    w1.kill('SIGKILL');
    await w1Exit;
    await waitFor(async () => (await leasesOf('w2')) === PARTITIONS, 60_000, 'w2 taking over every partition');
    startWorker('w1');
    await waitFor(async () => (await leasesOf('w1')) === PARTITIONS / 2, 120_000, 'w1 back with half');
    // 2. The engine dies the same way and comes back on its data folder.
    await waitFor(async () => (await stored()) > 8000, 120_000, 'more of the stream');
    await rabbit.kill();
    await rabbit.start();

    await Promise.race([
      Promise.all(sending),
      sleep(400_000).then(() => {
        throw new Error(`trackers still waiting for PUBACKs: ${acked} acknowledged`);
      }),
    ]);
    const sent = TRACKERS * PER_TRACKER;
    await waitFor(async () => (await stored()) >= ackedKeys.size, 180_000, 'every acknowledged reading stored');
    const counts = (
      await p.pool.query<{ total: string; distinct: string }>(
        `select count(*) as total, count(distinct (device_id, seq)) as distinct from telemetry where device_id like 'trk-fo-%'`,
      )
    ).rows[0]!;
    const keys = new Set(
      (
        await p.pool.query<{ k: string }>(
          `select device_id || ':' || seq as k from telemetry where device_id like 'trk-fo-%'`,
        )
      ).rows.map((r) => r.k),
    );
    const lost = [...ackedKeys].filter((k) => !keys.has(k)).length;
    const duplicated = Number(counts.total) - Number(counts.distinct);
    console.log(
      `engine failover: sent ${sent}, acknowledged ${acked}, stored ${counts.distinct}, duplicated ${duplicated}, lost ${lost}`,
    );
    expect(acked).toBe(sent);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);

    // One worker at a time, in order: per tracker the judged seqs only go up, and the
    // worker changes only at the handovers (kill, return, engine restart), never back and forth.
    await sleep(1000);
    expect(existsSync(traceFile)).toBe(true);
    const byDevice = new Map<string, { worker: string; seq: number }[]>();
    for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
      const [worker, device, seq] = line.split(' ');
      if (!worker || !device?.startsWith('trk-fo-')) continue;
      const list = byDevice.get(device) ?? [];
      list.push({ worker, seq: Number(seq) });
      byDevice.set(device, list);
    }
    expect(byDevice.size).toBe(TRACKERS);
    let switches = 0;
    for (const [device, list] of byDevice) {
      for (let i = 1; i < list.length; i++) {
        if (list[i]!.seq <= list[i - 1]!.seq)
          throw new Error(`${device}: seq ${list[i]!.seq} judged after ${list[i - 1]!.seq}`);
        if (list[i]!.worker !== list[i - 1]!.worker) switches++;
      }
      const changes = list.filter((e, i) => i > 0 && e.worker !== list[i - 1]!.worker).length;
      expect(changes, `${device} changed worker ${changes} times`).toBeLessThanOrEqual(3);
    }
    console.log(`engine failover: ${byDevice.size} trackers judged in order; ${switches} worker changes in all`);
    for (const c of clients) await c.endAsync();
  }, 900_000);
});

import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverPort } from '../support/free-port.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { rabbitAvailable, startRabbit, type RabbitNode } from '../support/rabbitmq.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The partitioned engine (RabbitMQ + MQTT plugin, docs/scale-out.md) in front of the real
 * platform: trackers sign in with the platform's device secrets through the HTTP auth hook,
 * may touch only their own topics, readings are stored from the partition queues, and
 * disabling a tracker closes its connection on the engine.
 */
const TOKEN = randomBytes(18).toString('base64url');
let rabbit: RabbitNode;
let p: TestPlatform;

beforeAll(async () => {
  const httpPort = await serverPort();
  rabbit = await startRabbit({ authHttpBase: `http://127.0.0.1:${httpPort}/internal/engine-auth/${TOKEN}` });
  p = await startTestPlatform({
    HTTP_PORT: String(httpPort),
    AMQP_URL: rabbit.amqpUrl,
    MQTT_URL: rabbit.mqttUrl,
    MQTT_USERNAME: 'sampletrack',
    MQTT_PASSWORD: 'sampletrack-secret',
    INGEST_CLIENT_ID: 'platform',
    ENGINE_AUTH_TOKEN: TOKEN,
    ENGINE_MANAGEMENT_URL: rabbit.managementUrl,
    INGEST_PARTITIONS: '4',
    INGEST_WORKER_ID: 'engine-test',
  });
}, 180_000);
afterAll(async () => {
  await p?.close();
  await rabbit?.close();
}, 60_000);

const connect = (id: string, secret: string) =>
  mqtt.connectAsync(rabbit.mqttUrl, {
    clientId: id,
    username: id,
    password: secret,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
  });
const stored = async (id: string) =>
  (await p.pool.query<{ seq: number }>('select seq from telemetry where device_id = $1 order by seq', [id])).rows.map(
    (r) => r.seq,
  );
const reading = (seq: number) => JSON.stringify({ seq, ts: new Date(Date.now() - 1000 + seq).toISOString(), tempC: 5 });
const closed = (c: MqttClient) => new Promise<void>((r) => c.once('close', () => r()));

describe.skipIf(!rabbitAvailable())('ingest from the partitioned engine', () => {
  it('stores what a tracker signed in with its device secret sends, after one worker took every partition', async () => {
    const { id, secret } = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    const c = await connect(id, secret);
    for (let seq = 1; seq <= 50; seq++) await c.publishAsync(`trackers/${id}/telemetry`, reading(seq), { qos: 1 });
    await waitFor(async () => (await stored(id)).length === 50, 30_000, 'readings stored');
    expect(await stored(id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const leases = await p.pool.query<{ partition: number; worker_id: string }>(
      'select partition, worker_id from ingest_partition_leases order by partition',
    );
    expect(leases.rows).toEqual([0, 1, 2, 3].map((partition) => ({ partition, worker_id: 'engine-test' })));
    // Where it was seen is recorded, so a worker that takes that partition watches its trip.
    const seenOn = await waitFor(
      async () =>
        (
          await p.pool.query<{ partition: number }>(
            'select partition from ingest_partition_devices where device_id = $1',
            [id],
          )
        ).rows[0]?.partition,
      15_000,
      'the partition of the tracker recorded',
    );
    expect(seenOn).toBeGreaterThanOrEqual(0);
    expect(seenOn).toBeLessThan(4);
    await c.endAsync();
  });

  it('refuses a wrong secret, a client id that is not the device id, and an unknown device', async () => {
    const { id, secret } = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    await expect(connect(id, 'wrong-secret-000000000000')).rejects.toBeDefined();
    await expect(
      mqtt.connectAsync(rabbit.mqttUrl, {
        clientId: `${id}-other`,
        username: id,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toBeDefined();
    await expect(connect('trk-nobody-000', 'whatever-secret-000000')).rejects.toBeDefined();
  });

  it('a tracker cannot publish as another tracker: the engine closes it and nothing is stored', async () => {
    const a = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    const b = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    const c = await connect(a.id, a.secret);
    const gone = closed(c);
    c.publish(`trackers/${b.id}/telemetry`, reading(1), { qos: 1 });
    await gone;
    // Its own telemetry on a fresh connection is still stored, so the refusal was the topic's.
    const again = await connect(a.id, a.secret);
    await again.publishAsync(`trackers/${a.id}/telemetry`, reading(7), { qos: 1 });
    await waitFor(async () => (await stored(a.id)).length === 1, 30_000, 'own reading stored');
    expect(await stored(b.id)).toEqual([]);
    await again.endAsync();
  });

  it('disabling a tracker closes its open connection on the engine and refuses its next sign-in', async () => {
    const { id, secret } = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    const c = await connect(id, secret);
    const gone = closed(c);
    const res = await p.api(`/api/devices/${id}/disable`, { method: 'POST', as: 'ops' });
    expect(res.status).toBe(200);
    await gone;
    await expect(connect(id, secret)).rejects.toBeDefined();
  });
});

describe.skipIf(!rabbitAvailable())('secret rotation on the partitioned engine', () => {
  it('closes the open connection, refuses the old secret and takes the new one', async () => {
    const { id, secret } = await p.provisionDevice(`trk-eng-${randomBytes(3).toString('hex')}`);
    const c = await connect(id, secret);
    const gone = closed(c);
    const res = await p.api<{ secret: string }>(`/api/devices/${id}/rotate-secret`, { method: 'POST', as: 'ops' });
    expect(res.status).toBe(200);
    await gone;
    await expect(connect(id, secret)).rejects.toBeDefined();
    const fresh = await connect(id, res.body.secret);
    await fresh.publishAsync(`trackers/${id}/telemetry`, reading(1), { qos: 1 });
    await waitFor(async () => (await stored(id)).length === 1, 30_000, 'reading under the new secret stored');
    await fresh.endAsync();
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A QoS 1 publish over the protocol's 256 KiB payload limit must not become a poison message:
 * refused without a PUBACK, a tracker with a persistent session resends it on every
 * reconnect, runs into the connect rate limit, and its good readings wait behind it. It is
 * acknowledged and kept aside (dead letter payload_too_large, with its size); only a packet
 * over the hard ceiling (MQTT_MAX_PACKET_BYTES, default 1 MiB) closes the connection.
 */
const KIB = 1024;
const newId = (tag: string) => `trk-${tag}-${randomBytes(3).toString('hex')}`;
const reading = (seq: number) => JSON.stringify({ seq, ts: Date.now() - 1000, tempC: 5 });
/** A telemetry payload of exactly `bytes`: a reading padded with an unknown field. */
const padded = (seq: number, bytes: number) => {
  const head = `{"seq":${seq},"ts":${Date.now() - 1000},"pad":"`;
  return head + 'x'.repeat(bytes - head.length - 2) + '"}';
};

/** Fails with `what` instead of the test's timeout when the broker never answers. */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);

/** Counts what the client does with its connection, so a silent reconnect cannot go unnoticed. */
function watch(c: MqttClient) {
  const seen = { close: 0, reconnect: 0, connect: 0 };
  c.on('close', () => seen.close++);
  c.on('reconnect', () => seen.reconnect++);
  c.on('connect', () => seen.connect++);
  return seen;
}

describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('an oversized payload on the embedded broker', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.close();
  });

  const stored = async (id: string) =>
    (await p.pool.query<{ seq: number }>('select seq from telemetry where device_id = $1 order by seq', [id])).rows.map(
      (r) => r.seq,
    );
  const letters = async (id: string) =>
    (
      await p.pool.query<{ reason: string; detail: string; raw: string; raw_bytes: number }>(
        'select reason, detail, raw, raw_bytes from dead_letters where device_id = $1 order by id',
        [id],
      )
    ).rows;

  for (const transport of ['tcp', 'websocket'] as const) {
    it(`over ${transport}: a 300 KiB QoS 1 payload gets its PUBACK and a dead letter, the next reading is stored, no reconnect`, async () => {
      const { id, secret } = await p.provisionDevice(newId(transport === 'tcp' ? 'big' : 'bigws'));
      // reconnectPeriod on, as firmware has it: a refusal would show as a reconnect.
      const url = transport === 'tcp' ? p.mqttUrl : p.mqttWsUrl!;
      const c = await mqtt.connectAsync(url, {
        clientId: id,
        username: id,
        password: secret,
        clean: false,
        reconnectPeriod: 200,
        protocolVersion: 4,
      });
      try {
        const seen = watch(c);
        const body = padded(1, 300 * KIB);
        const pubacks: number[] = [];
        c.on('packetreceive', (packet) => {
          if (packet.cmd === 'puback') pubacks.push(packet.messageId!);
        });
        const sent = await within(c.publishAsync(`trackers/${id}/telemetry`, body, { qos: 1 }), 5000, 'PUBACK');
        expect(pubacks).toEqual([sent!.messageId]);
        const [letter, ...more] = await letters(id);
        expect(more).toEqual([]);
        expect(letter).toMatchObject({ reason: 'payload_too_large', raw_bytes: 300 * KIB });
        expect(letter!.detail).toContain(String(300 * KIB));
        expect(letter!.raw.length).toBeLessThanOrEqual(4096);
        await c.publishAsync(`trackers/${id}/telemetry`, reading(2), { qos: 1 });
        expect(await stored(id)).toEqual([2]);
        await new Promise((r) => setTimeout(r, 500)); // longer than reconnectPeriod
        expect(seen).toEqual({ close: 0, reconnect: 0, connect: 0 });
        expect(c.connected).toBe(true);
        expect(await letters(id)).toHaveLength(1); // not redelivered
      } finally {
        await c.endAsync(true);
      }
    });
  }

  it('a packet over the hard ceiling still closes the connection, over TCP and WebSocket', async () => {
    const { id, secret } = await p.provisionDevice(newId('huge'));
    for (const url of [p.mqttUrl, p.mqttWsUrl!]) {
      const c = await mqtt.connectAsync(url, {
        clientId: id,
        username: id,
        password: secret,
        clean: true,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      const gone = new Promise<void>((r) => c.once('close', () => r()));
      c.publish(`trackers/${id}/telemetry`, padded(1, p.env.MQTT_MAX_PACKET_BYTES + KIB), { qos: 1 });
      await gone;
    }
    expect(await stored(id)).toEqual([]);
    expect(await letters(id)).toEqual([]);
  });
});

describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('an oversized payload through an external broker', () => {
  // A plain aedes on a real socket stands in for Mosquitto/EMQX: no size limit of its own.
  let broker: { url: string; broker: Aedes; server: Server };
  let p: TestPlatform;
  beforeAll(async () => {
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    broker = { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, broker: aedes, server };
    p = await startTestPlatform({
      MQTT_URL: broker.url,
      INGEST_CLIENT_ID: `ingest-${randomBytes(4).toString('hex')}`,
      INGEST_SHARE_GROUP: 'none',
    });
  });
  afterAll(async () => {
    await p?.close();
    if (broker) {
      await new Promise<void>((r) => broker.broker.close(() => r()));
      await new Promise<void>((r) => broker.server.close(() => r()));
    }
  });

  it('is dead-lettered and acknowledged by ingest, not redelivered after ingest reconnects', async () => {
    const { id } = await p.provisionDevice(newId('ext'));
    // The external broker does its own device auth; this one lets anyone in.
    const t = await mqtt.connectAsync(broker.url, {
      clientId: id,
      clean: false,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    try {
      await t.publishAsync(`trackers/${id}/telemetry`, padded(1, 300 * KIB), { qos: 1 });
      await t.publishAsync(`trackers/${id}/telemetry`, reading(2), { qos: 1 });
      const rows = () =>
        p.pool.query<{ reason: string; raw_bytes: number }>(
          'select reason, raw_bytes from dead_letters where device_id = $1',
          [id],
        );
      await waitFor(
        async () =>
          (await p.pool.query('select 1 from telemetry where device_id = $1 and seq = 2', [id])).rowCount === 1,
        5000,
        'seq 2',
      );
      expect((await rows()).rows).toEqual([{ reason: 'payload_too_large', raw_bytes: 300 * KIB }]);
      // Ingest's connection drops; a message it never acknowledged would come again now.
      const clients = Object.values(
        (broker.broker as unknown as { clients: Record<string, { close(): void; id: string }> }).clients,
      );
      clients.find((c) => c.id.startsWith('ingest-'))!.close();
      await new Promise((r) => setTimeout(r, 200));
      await waitFor(
        () =>
          Object.values((broker.broker as unknown as { clients: Record<string, { id: string }> }).clients).some((c) =>
            c.id.startsWith('ingest-'),
          ),
        5000,
        'ingest reconnected',
      );
      await t.publishAsync(`trackers/${id}/telemetry`, reading(3), { qos: 1 });
      await waitFor(
        async () =>
          (await p.pool.query('select 1 from telemetry where device_id = $1 and seq = 3', [id])).rowCount === 1,
        5000,
        'seq 3',
      );
      expect((await rows()).rows).toHaveLength(1);
    } finally {
      await t.endAsync(true);
    }
  });
});

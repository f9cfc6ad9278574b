import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Device side of issue 6 on the real embedded broker: secret rotation, disabling, connect
 * rate limits and the packet size limit. Small limits here so the tests reach them; the
 * per-IP test runs last, as it leaves 127.0.0.1 over its budget for this platform.
 */
const PER_DEVICE = 4;
const FAILURES_PER_IP = 6;
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({
    MQTT_CONNECTS_PER_DEVICE_PER_MIN: String(PER_DEVICE),
    MQTT_AUTH_FAILURES_PER_IP_PER_MIN: String(FAILURES_PER_IP),
  });
});
afterAll(() => p?.close());

const newId = (tag: string) => `trk-${tag}-${randomBytes(3).toString('hex')}`;
const connect = (id: string, secret: string, url = p.mqttUrl) =>
  mqtt.connectAsync(url, {
    clientId: id,
    username: id,
    password: secret,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: 3000,
    protocolVersion: 4,
  });
const closed = (c: MqttClient) => new Promise<void>((r) => c.once('close', () => r()));
const stored = async (id: string) =>
  (await p.pool.query<{ seq: number }>('select seq from telemetry where device_id = $1 order by seq', [id])).rows.map(
    (r) => r.seq,
  );
const auditActions = async (id: string) =>
  (await p.api<{ entries: { action: string }[] }>(`/api/audit?entity=device:${id}`)).body.entries.map((e) => e.action);
const reading = (seq: number) => JSON.stringify({ seq, ts: new Date().toISOString(), tempC: 5 });

describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('device side on the embedded broker', () => {
  it('rotating a secret refuses the old one at once, even cached, and disconnects the tracker', async () => {
    const { id, secret } = await p.provisionDevice(newId('rot'));
    const client = await p.connectTracker(id, secret); // its secret is now in the verified cache
    const gone = closed(client);
    const res = await p.api<{ id: string; secret: string }>(`/api/devices/${id}/rotate-secret`, {
      method: 'POST',
      as: 'ops',
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.body.secret).not.toBe(secret);
    await gone;
    await expect(connect(id, secret)).rejects.toMatchObject({ code: 4 });
    const fresh = await connect(id, res.body.secret);
    await fresh.publishAsync(`trackers/${id}/telemetry`, reading(1), { qos: 1 });
    expect(await stored(id)).toEqual([1]);
    await fresh.endAsync();
    expect(await auditActions(id)).toEqual(['device.rotate_secret', 'device.provision']);
    // The secret is shown once: nothing readable returns it.
    expect(JSON.stringify((await p.api(`/api/devices/${id}`)).body)).not.toContain(res.body.secret);
    expect((await p.api('/api/devices/trk-nobody-here/rotate-secret', { method: 'POST' })).status).toBe(404);
  });

  it('a disabled tracker is disconnected at once, refused at connect (CONNACK 5), and welcome again once enabled', async () => {
    const { id, secret } = await p.provisionDevice(newId('dis'));
    const client = await p.connectTracker(id, secret, {
      will: { topic: `trackers/${id}/status`, payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true },
    });
    await client.publishAsync(`trackers/${id}/status`, JSON.stringify({ state: 'online' }), { qos: 1, retain: true });
    const gone = closed(client);
    const res = await p.api<{ disabledAt: string | null }>(`/api/devices/${id}/disable`, { method: 'POST', as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.disabledAt).not.toBeNull();
    await gone;
    // Its will went out on the way: the device shows offline.
    await waitFor(async () => (await p.services.devices.get(id)).online === false, 3000, 'the will to mark it offline');
    await expect(connect(id, secret)).rejects.toMatchObject({ code: 5 });
    // Without the secret nobody learns that it is disabled: a wrong one is just refused.
    await expect(connect(id, 'not-the-secret')).rejects.toMatchObject({ code: 4 });
    // Disabling twice changes nothing and writes one audit row.
    expect((await p.api(`/api/devices/${id}/disable`, { method: 'POST' })).status).toBe(200);

    const enabled = await p.api<{ disabledAt: string | null }>(`/api/devices/${id}/enable`, {
      method: 'POST',
      as: 'ops',
    });
    expect(enabled.body.disabledAt).toBeNull();
    const back = await connect(id, secret);
    await back.publishAsync(`trackers/${id}/telemetry`, reading(7), { qos: 1 });
    expect(await stored(id)).toEqual([7]);
    await back.endAsync();
    expect(await auditActions(id)).toEqual(['device.enable', 'device.disable', 'device.provision']);
  });

  it('stores nothing a tracker sends once it is disabled', async () => {
    const { id, secret } = await p.provisionDevice(newId('inflight'));
    const client = await p.connectTracker(id, secret);
    await p.services.devices.setDisabled(id, true, { actor: 'test', label: 'test', ip: null });
    // Whatever reaches the broker from here on is refused: nothing is stored.
    client.publish(`trackers/${id}/telemetry`, reading(1), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored(id)).toEqual([]);
    expect(client.connected).toBe(false);
  });

  it('limits connects per device id: CONNACK 3 past the budget, counted in a metric', async () => {
    const { id, secret } = await p.provisionDevice(newId('storm'));
    for (let i = 0; i < PER_DEVICE; i++) await (await connect(id, secret)).endAsync();
    await expect(connect(id, secret)).rejects.toMatchObject({ code: 3 });
    const throttled = (await p.metrics.throttledConnects.get()).values.find((v) => v.labels.limit === 'device');
    expect(throttled?.value).toBeGreaterThanOrEqual(1);
    // Another device is not affected.
    const other = await p.provisionDevice(newId('calm'));
    await (await connect(other.id, other.secret)).endAsync();
  });

  it('closes a connection sending a packet over the size limit, before reading it all, and keeps serving others', async () => {
    const bystander = await p.provisionDevice(newId('by'));
    const byClient = await connect(bystander.id, bystander.secret);
    const { id, secret } = await p.provisionDevice(newId('big'));
    const before = (await p.metrics.oversizedPackets.get()).values[0]?.value ?? 0;

    for (const url of [p.mqttUrl, p.mqttWsUrl!]) {
      const big = await connect(id, secret, url);
      const gone = closed(big);
      big.publish(`trackers/${id}/telemetry`, Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 1 });
      await gone;
    }
    expect((await p.metrics.oversizedPackets.get()).values[0]?.value).toBe(before + 2);
    expect(await stored(id)).toEqual([]);

    await byClient.publishAsync(`trackers/${bystander.id}/telemetry`, reading(3), { qos: 1 });
    expect(await stored(bystander.id)).toEqual([3]);
    // A payload at the protocol's limit (256 KiB) is still read: it is judged (and dead-lettered) by ingest.
    const atLimit = await connect(id, secret);
    await atLimit.publishAsync(`trackers/${id}/telemetry`, Buffer.alloc(256 * 1024, 0x20), { qos: 1 });
    expect(atLimit.connected).toBe(true);
    await atLimit.endAsync();
    await byClient.endAsync();
  });

  it('closes a WebSocket sending one frame over the size limit, and counts it', async () => {
    const before = (await p.metrics.oversizedPackets.get()).values[0]?.value ?? 0;
    const ws = new WebSocket(p.mqttWsUrl!, 'mqtt');
    await new Promise((r) => ws.once('open', r));
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send(Buffer.alloc(2 * 1024 * 1024));
    expect(await code).toBe(1009); // "message too big"
    await waitFor(
      async () => (await p.metrics.oversizedPackets.get()).values[0]?.value === before + 1,
      3000,
      'the metric',
    );
  });

  it('limits failed sign-ins per IP; trackers verified recently still get in from that IP', async () => {
    const known = await p.provisionDevice(newId('known'));
    await (await connect(known.id, known.secret)).endAsync();
    const newcomer = await p.provisionDevice(newId('new'));
    const codes: number[] = [];
    for (let i = 0; i < FAILURES_PER_IP + 2; i++) {
      const ghost = newId('guess');
      codes.push(
        await connect(ghost, 'wrong').then(
          () => 0,
          (err: { code?: number }) => err.code ?? -1,
        ),
      );
    }
    // Some failures were spent by earlier tests on this platform: at most FAILURES_PER_IP answers 4.
    expect(codes.filter((c) => c === 4).length).toBeLessThanOrEqual(FAILURES_PER_IP);
    expect(codes.at(-1)).toBe(3);
    expect(codes.every((c) => c === 4 || c === 3)).toBe(true);
    const throttled = (await p.metrics.throttledConnects.get()).values.find((v) => v.labels.limit === 'ip');
    expect(throttled?.value).toBeGreaterThanOrEqual(1);
    // In the cache: admitted without a new check. Never verified here: refused until the budget refills.
    await (await connect(known.id, known.secret)).endAsync();
    await expect(connect(newcomer.id, newcomer.secret)).rejects.toMatchObject({ code: 3 });
  });
});

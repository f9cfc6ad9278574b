import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimTracker } from '../../device-sim/tracker.ts';
import { closeBroker } from '../../broker/broker.ts';
import { startPlatform } from '../../platform/start-platform.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * PUT /api/devices/:id/config on the real platform, with device-sim trackers over the real
 * broker: trackers/{id}/config is published QoS 1 and retained (tracker protocol), so a
 * tracker online applies it at once and one that connects later still gets it.
 */
let p: TestPlatform;
const trackers: SimTracker[] = [];
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await Promise.all(trackers.map((t) => t.stop({ timeoutMs: 1000 }).catch(() => {})));
  await p?.close();
});

const newId = (tag: string) => `trk-cfg-${tag}-${randomBytes(3).toString('hex')}`;
const sim = (url: string, id: string, secret: string) => {
  const t = new SimTracker({ url, id, secret, seed: 7, intervalS: 300, mqttOptions: { reconnectPeriod: 0 } });
  trackers.push(t);
  return t;
};

interface DeviceBody {
  id: string;
  config: Record<string, number> | null;
  configUpdatedAt: string | null;
  configUpdatedBy: string | null;
  configPublishedAt: string | null;
}

describe('tracker config pushed over MQTT', () => {
  it('an online tracker receives and applies it; the device shows it; the change is audited with the caller', async () => {
    const { id, secret } = await p.provisionDevice(newId('on'));
    const tracker = sim(p.mqttUrl, id, secret);
    await tracker.connect();
    expect(tracker.config.reportIntervalS).toBe(300);

    const config = { reportIntervalS: 120, shockThresholdG: 4.5, lightThresholdLux: 30 };
    const res = await p.api<DeviceBody>(`/api/devices/${id}/config`, { method: 'PUT', json: config, as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.config).toEqual(config);
    expect(res.body.configPublishedAt).not.toBeNull();
    expect(res.body.configUpdatedBy).toMatch(/^token:\d+$/);

    await waitFor(() => tracker.config.reportIntervalS === 120, 5000, 'the tracker to apply the config');
    expect(tracker.config).toEqual(config);

    const shown = await p.api<DeviceBody>(`/api/devices/${id}`, { as: 'viewer' });
    expect(shown.body.config).toEqual(config);
    const listed = await p.api<{ devices: DeviceBody[] }>('/api/devices', { as: 'viewer' });
    expect(listed.body.devices.find((d) => d.id === id)?.config).toEqual(config);

    const audit = await p.api<{ entries: { action: string; actor: string; detail: unknown }[] }>(
      `/api/audit?entity=device:${id}`,
    );
    const entry = audit.body.entries.find((e) => e.action === 'device.config');
    expect(entry?.actor).toBe(res.body.configUpdatedBy);
    expect(entry?.detail).toEqual({ config, previous: null });
  });

  it('a tracker that connects after the change gets the retained config', async () => {
    const { id, secret } = await p.provisionDevice(newId('off'));
    const res = await p.api<DeviceBody>(`/api/devices/${id}/config`, { method: 'PUT', json: { reportIntervalS: 900 } });
    expect(res.status).toBe(200);
    const tracker = sim(p.mqttUrl, id, secret);
    await tracker.connect();
    await waitFor(() => tracker.config.reportIntervalS === 900, 5000, 'the retained config on connect');
  });

  it('of two changes sent at once, the one stored last is the one a tracker gets', async () => {
    const { id, secret } = await p.provisionDevice(newId('race'));
    const puts = await Promise.all(
      [60, 61, 62, 63].map((s) =>
        p.api<DeviceBody>(`/api/devices/${id}/config`, { method: 'PUT', json: { reportIntervalS: s } }),
      ),
    );
    expect(puts.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const stored = (await p.api<DeviceBody>(`/api/devices/${id}`)).body;
    const tracker = sim(p.mqttUrl, id, secret);
    await tracker.connect();
    await waitFor(
      () => tracker.config.reportIntervalS === stored.config!.reportIntervalS,
      5000,
      'the latest stored config',
    );
    expect(stored.configPublishedAt).not.toBeNull();
  });

  it('viewers and fulfilment may not change it (403), and nothing is published', async () => {
    const { id } = await p.provisionDevice(newId('role'));
    for (const as of ['viewer', 'fulfillment'] as const) {
      const res = await p.api<{ error: { code: string } }>(`/api/devices/${id}/config`, {
        method: 'PUT',
        json: { reportIntervalS: 600 },
        as,
      });
      expect(res.status, as).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(
      (await p.api(`/api/devices/${id}/config`, { method: 'PUT', json: { reportIntervalS: 600 }, as: 'anonymous' }))
        .status,
    ).toBe(401);
    expect((await p.api<DeviceBody>(`/api/devices/${id}`)).body.config).toBeNull();
  });

  it('a config the protocol does not allow is refused with 400 VALIDATION_FAILED; an unknown device is 404', async () => {
    const { id } = await p.provisionDevice(newId('bad'));
    const bad: unknown[] = [
      {},
      { reportIntervalS: 1.5 },
      { reportIntervalS: 5 },
      { reportIntervalS: 86_401 },
      { reportIntervalS: '300' },
      { shockThresholdG: 0 },
      { shockThresholdG: -2 },
      { lightThresholdLux: -1 },
      { lightThresholdLux: 1e9 },
      { reportIntervalS: 300, firmwareUrl: 'http://x' },
      [],
      null,
    ];
    for (const json of bad) {
      const res = await p.api<{ error: { code: string } }>(`/api/devices/${id}/config`, { method: 'PUT', json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error.code, JSON.stringify(json)).toBe('VALIDATION_FAILED');
    }
    expect((await p.api<DeviceBody>(`/api/devices/${id}`)).body.config).toBeNull();
    const missing = await p.api<{ error: { code: string } }>('/api/devices/trk-nobody-here/config', {
      method: 'PUT',
      json: { reportIntervalS: 300 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });
});

describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('configs across a restart of the embedded broker', () => {
  it('a platform restarted on the same database republishes stored configs retained', { timeout: 60_000 }, async () => {
    const { id, secret } = await p.provisionDevice(newId('restart'));
    expect(
      (await p.api(`/api/devices/${id}/config`, { method: 'PUT', json: { reportIntervalS: 450, shockThresholdG: 2 } }))
        .status,
    ).toBe(200);
    // A second platform on the same database: a fresh aedes whose retained store starts empty.
    const again = await startPlatform({
      env: {
        DATABASE_URL: p.db.url,
        HTTP_PORT: '0',
        MQTT_PORT: '0',
        MQTT_WS_PORT: '0',
        DEMO_FLEET: '0',
        FOLLOW_UP_INTERVAL_S: '0',
        LOG_LEVEL: 'silent',
      },
    });
    try {
      const tracker = sim(again.mqttUrl, id, secret);
      await tracker.connect();
      await waitFor(
        () => tracker.config.reportIntervalS === 450 && tracker.config.shockThresholdG === 2,
        5000,
        'the republished config',
      );
      await tracker.stop({ timeoutMs: 1000 });
    } finally {
      await again.stop();
    }
  });
});

describe('config through an external broker (MQTT_URL)', () => {
  it("is published retained by the platform's MQTT client", { timeout: 60_000 }, async () => {
    // A plain broker standing in for Mosquitto or EMQX: no device auth of ours.
    const broker = await Aedes.createBroker();
    const server = createServer((s) => broker.handle(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ext = await startTestPlatform({
      MQTT_URL: url,
      INGEST_CLIENT_ID: `ingest-${randomBytes(4).toString('hex')}`,
    });
    try {
      const { id } = await ext.provisionDevice(newId('ext'));
      const res = await ext.api<DeviceBody>(`/api/devices/${id}/config`, {
        method: 'PUT',
        json: { lightThresholdLux: 12 },
      });
      expect(res.status).toBe(200);
      expect(res.body.configPublishedAt).not.toBeNull();
      // Subscribing only now: what arrives is the broker's retained copy.
      const device = await mqtt.connectAsync(url, { clientId: id, clean: true, reconnectPeriod: 0 });
      const got = new Promise<{ payload: string; retain: boolean }>((resolve) =>
        device.on('message', (_t, payload, packet) => resolve({ payload: payload.toString(), retain: packet.retain })),
      );
      await device.subscribeAsync(`trackers/${id}/config`, { qos: 1 });
      expect(await got).toEqual({ payload: '{"lightThresholdLux":12}', retain: true });
      await device.endAsync();
    } finally {
      await ext.close();
      await new Promise<void>((r) => server.close(() => r()));
      await closeBroker(broker);
    }
  });
});

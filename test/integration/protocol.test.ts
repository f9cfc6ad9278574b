import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const newId = (tag: string) => `trk-${tag}-${randomBytes(3).toString('hex')}`;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function tracker(tag: string) {
  const { id, secret } = await p.provisionDevice(newId(tag));
  const client = await p.connectTracker(id, secret);
  const publish = (payload: unknown) =>
    client.publishAsync(`trackers/${id}/telemetry`, typeof payload === 'string' ? payload : JSON.stringify(payload), {
      qos: 1,
    });
  return { id, secret, client, publish };
}

const stored = async (id: string) =>
  (
    await p.pool.query<{ seq: number; ts: Date; temp_c: number | null; extra: unknown }>(
      'select seq, ts, temp_c, extra from telemetry where device_id = $1 order by seq',
      [id],
    )
  ).rows;
const deadLetters = async (id: string) =>
  (
    await p.pool.query<{ reason: string; detail: string; seq: number | null; raw: string }>(
      'select reason, detail, seq, raw from dead_letters where device_id = $1 order by id',
      [id],
    )
  ).rows;

describe('ingest follows the tracker protocol', () => {
  it('stores a reading, with unknown fields kept', async () => {
    const t = await tracker('one');
    await t.publish({ seq: 7, ts: iso(1000), tempC: 5.5, pressureHpa: 1013 });
    const rows = await waitFor(async () => {
      const r = await stored(t.id);
      return r.length ? r : undefined;
    });
    expect(rows).toEqual([expect.objectContaining({ seq: 7, temp_c: 5.5, extra: { pressureHpa: 1013 } })]);
  });

  it('refuses a malformed payload with a reason, keeps it aside, and keeps serving the device', async () => {
    const t = await tracker('bad');
    await t.publish('{"seq": 1, "ts": ');
    await t.publish({ seq: 2, ts: iso(0) });
    const letters = await waitFor(async () => {
      const d = await deadLetters(t.id);
      return d.length ? d : undefined;
    });
    expect(letters).toEqual([expect.objectContaining({ reason: 'invalid_json', raw: '{"seq": 1, "ts": ' })]);
    await waitFor(async () => (await stored(t.id)).length === 1, 3000, 'the next valid reading');
    expect(t.client.connected).toBe(true);
  });

  it('stores the valid readings of a batch with one bad reading, and keeps the bad one aside', async () => {
    const t = await tracker('batch');
    await t.publish({
      readings: [
        { seq: 1, ts: iso(3000), tempC: 4 },
        { seq: 2, ts: iso(2000), tempC: 'hot' },
        { seq: 3, ts: iso(1000), tempC: 6 },
      ],
    });
    await waitFor(async () => (await stored(t.id)).length === 2, 3000, 'two stored readings');
    expect((await stored(t.id)).map((r) => r.seq)).toEqual([1, 3]);
    const letters = await deadLetters(t.id);
    expect(letters).toEqual([expect.objectContaining({ reason: 'invalid_reading', seq: 2 })]);
    expect(letters[0]!.detail).toContain('tempC');
  });

  it('stores a reading received twice only once', async () => {
    const t = await tracker('dup');
    const reading = { seq: 42, ts: iso(5000), tempC: 3 };
    await t.publish(reading);
    await t.publish(reading);
    await t.publish({ readings: [reading, { seq: 43, ts: iso(4000) }] });
    await waitFor(async () => (await stored(t.id)).length === 2, 3000, 'two distinct readings');
    await new Promise((r) => setTimeout(r, 200));
    expect((await stored(t.id)).map((r) => r.seq)).toEqual([42, 43]);
    const dup = await p.pool.query('select 1 from dead_letters where device_id = $1', [t.id]);
    expect(dup.rowCount).toBe(0);
  });

  it('judges latest state by event time: an out-of-order upload never moves the parcel back', async () => {
    const t = await tracker('ooo');
    // Live reading first, then a late batch from a coverage gap, shuffled.
    await t.publish({ seq: 10, ts: iso(60_000), lat: 40.0, lon: -100.0, tempC: 8 });
    await new Promise((r) => setTimeout(r, 5));
    await t.publish({
      readings: [
        { seq: 8, ts: iso(180_000), lat: 38.0, lon: -102.0, tempC: 6 },
        { seq: 9, ts: iso(120_000), lat: 39.0, lon: -101.0, tempC: 7 },
        { seq: 7, ts: iso(240_000), lat: 37.0, lon: -103.0, tempC: 5 },
      ],
    });
    await waitFor(async () => (await stored(t.id)).length === 4, 3000, 'all four readings');
    const { rows } = await p.pool.query(
      'select seq, lat, received_at, last_seen_at from parcel_state where device_id = $1',
      [t.id],
    );
    expect(rows[0]).toMatchObject({ seq: 10, lat: 40.0 });
    // The late batch still counts as the tracker being heard from.
    expect(rows[0].last_seen_at.getTime()).toBeGreaterThan(rows[0].received_at.getTime());
  });

  it('refuses a reading stamped more than 24 h ahead and a batch of over 500', async () => {
    const t = await tracker('limits');
    await t.publish({ seq: 1, ts: Date.now() + 25 * 3600_000 });
    await t.publish({ readings: Array.from({ length: 501 }, (_, i) => ({ seq: 100 + i, ts: Date.now() - 1000 })) });
    const letters = await waitFor(async () => {
      const d = await deadLetters(t.id);
      return d.length === 2 ? d : undefined;
    });
    expect(letters.map((l) => l.reason)).toEqual(['ts_in_future', 'batch_too_large']);
    expect(await stored(t.id)).toEqual([]);
  });

  it('applies a status message', async () => {
    const t = await tracker('status');
    await t.client.publishAsync(
      `trackers/${t.id}/status`,
      JSON.stringify({ state: 'online', fw: '1.4.2', batteryPct: 77 }),
      { qos: 1, retain: true },
    );
    const dev = await waitFor(async () => {
      const d = await p.services.devices.get(t.id);
      return d.fw === '1.4.2' ? d : undefined;
    });
    expect(dev).toMatchObject({ online: true, batteryPct: 77 });
  });
});

// Access control is the embedded broker's; an external broker (CI's Mosquitto pass) has its own.
describe.skipIf(Boolean(process.env.TEST_MQTT_URL))('the embedded broker enforces device identity', () => {
  const connectRaw = (opts: mqtt.IClientOptions) =>
    mqtt.connectAsync(p.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...opts });

  it('refuses a wrong password (CONNACK 4) and an unknown device', async () => {
    const { id } = await p.provisionDevice(newId('pw'));
    await expect(connectRaw({ clientId: id, username: id, password: 'wrong' })).rejects.toMatchObject({ code: 4 });
    const ghost = newId('ghost');
    await expect(connectRaw({ clientId: ghost, username: ghost, password: 'x' })).rejects.toMatchObject({ code: 4 });
    const refusals = await p.metrics.authFailures.get();
    expect(refusals.values.find((v) => v.labels.kind === 'connect')?.value).toBeGreaterThanOrEqual(2);
  });

  it('refuses a client id that is not the username', async () => {
    const { id, secret } = await p.provisionDevice(newId('cid'));
    await expect(connectRaw({ clientId: `${id}-x`, username: id, password: secret })).rejects.toMatchObject({
      code: 2,
    });
  });

  it("disconnects a device publishing to another device's topic and stores nothing", async () => {
    const victim = await p.provisionDevice(newId('victim'));
    const t = await tracker('intruder');
    const closed = new Promise<void>((r) => t.client.once('close', () => r()));
    t.client.publish(`trackers/${victim.id}/telemetry`, JSON.stringify({ seq: 1, ts: iso(0) }), { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 200));
    expect(await stored(victim.id)).toEqual([]);
  });

  it("grants a device its own config topic and refuses another's", async () => {
    const other = await p.provisionDevice(newId('other'));
    const t = await tracker('sub');
    // mqtt.js turns a 0x80 grant into an error, so read the SUBACK itself.
    const suback = new Promise<number[]>((resolve) =>
      t.client.on('packetreceive', (pkt) => {
        if (pkt.cmd === 'suback') resolve(pkt.granted as number[]);
      }),
    );
    t.client.subscribe(
      { [`trackers/${t.id}/config`]: { qos: 1 }, [`trackers/${other.id}/config`]: { qos: 1 } },
      () => {},
    );
    expect(await suback).toEqual([1, 128]);
    expect(t.client.connected).toBe(true);
  });

  it('accepts MQTT over WebSocket at /mqtt', async () => {
    const { id, secret } = await p.provisionDevice(newId('ws'));
    const c = await mqtt.connectAsync(p.mqttWsUrl!, {
      clientId: id,
      username: id,
      password: secret,
      clean: false,
      reconnectPeriod: 0,
    });
    await c.publishAsync(`trackers/${id}/telemetry`, JSON.stringify({ seq: 1, ts: iso(0) }), { qos: 1 });
    await c.endAsync();
    // The PUBACK came after the commit, so the reading is already there.
    expect((await stored(id)).map((r) => r.seq)).toEqual([1]);
  });
});

import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS, type ConditionProfileInput } from '../../core/domain/condition/index.ts';
import type { Reading } from '../../core/protocol/tracker-protocol.ts';
import { aProduct, geofences } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Incidents fulfilment can trust, on the real platform (embedded PostgreSQL, broker over
 * real sockets): a stage is never invented for a reading without a fix, one incident per
 * problem however often the rule flaps, MKT over its limit raises one exception, a batch
 * of many trips is persisted in one transaction, the trip ends, late data is corrected in
 * the open.
 */

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const MIN = 60_000;
const WAREHOUSE: [number, number] = [34.02, -118.2];
const HOME: [number, number] = [34.1, -118.33];
const ON_THE_ROAD = { lat: 34.06, lon: -118.26 };
const suffix = () => Math.random().toString(36).slice(2, 8);

interface Row {
  id: number;
  type: string;
  severity: string;
  status: string;
  repeat_count: number;
  started_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  peak: number;
  limit_value: number;
  last_seen_at: Date | null;
}

async function parcel(profile: ConditionProfileInput, opts: { geofenced?: boolean } = {}) {
  const sku = `SKU-${suffix()}`.toUpperCase();
  await aProduct(p.pool, { sku, profile });
  const { id, secret } = await p.provisionDevice(`trk-inc-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', { method: 'POST', json: { creator: '@ava.cooks', sku } });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
  if (opts.geofenced) await geofences(p.pool, sample.body.id, { origin: WAREHOUSE, destination: HOME, radiusM: 200 });
  const client = await p.connectTracker(id, secret);
  const send = (readings: object[]) =>
    client.publishAsync(`trackers/${id}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
  const rows = async () =>
    (
      await p.pool.query<Row>(
        `select id, type, severity, status, repeat_count, started_at, ended_at, ended_by, peak, limit_value, last_seen_at
     from condition_exceptions where sample_id = $1 order by id`,
        [sample.body.id],
      )
    ).rows;
  return { deviceId: id, sampleId: sample.body.id, send, rows };
}

describe('stages and incidents', () => {
  it('a delivered parcel whose fix-less readings show the box opened and closed raises no opened_in_transit and one incident per rule', async () => {
    const t = await parcel({}, { geofenced: true });
    const t0 = Date.now() - 4 * 3600_000;
    const readings: object[] = [
      { seq: 0, ts: t0, lat: WAREHOUSE[0], lon: WAREHOUSE[1], lightLux: 200 }, // packing
      { seq: 1, ts: t0 + 20 * MIN, lat: WAREHOUSE[0], lon: WAREHOUSE[1] },
      { seq: 2, ts: t0 + 40 * MIN, ...ON_THE_ROAD },
      { seq: 3, ts: t0 + 60 * MIN, lat: HOME[0], lon: HOME[1] },
    ];
    // At the creator's: the box opened and closed every few minutes, no GPS fix indoors.
    for (let i = 0; i < 30; i++)
      readings.push({ seq: 4 + i, ts: t0 + 62 * MIN + i * 3 * MIN, lightLux: i % 2 === 0 ? 300 : 0 });
    await t.send(readings);
    await waitFor(
      async () => (await t.rows()).some((r) => r.type === 'opened_at_destination'),
      30_000,
      'the receipt evidence',
    );
    await p.conditions.drain();
    const rows = await t.rows();
    expect(rows.filter((r) => r.type === 'opened_in_transit')).toEqual([]);
    const perType = new Map<string, number>();
    for (const r of rows) perType.set(r.type, (perType.get(r.type) ?? 0) + 1);
    expect(Object.fromEntries(perType)).toEqual({ opened_at_destination: 1 });
    expect(rows[0]!.repeat_count).toBe(15);
  });

  it('a box opened and closed again and again in transit within the flap window is one exception with a repeat count', async () => {
    const t = await parcel({}, { geofenced: true });
    const t0 = Date.now() - 3 * 3600_000;
    const readings: object[] = [
      { seq: 0, ts: t0, lat: WAREHOUSE[0], lon: WAREHOUSE[1] },
      { seq: 1, ts: t0 + 20 * MIN, ...ON_THE_ROAD },
    ];
    // Open 5 min, closed 5 min, four times: each closed spell is far inside the 30 min window.
    for (let i = 0; i < 8; i++)
      readings.push({ seq: 2 + i, ts: t0 + 30 * MIN + i * 5 * MIN, ...ON_THE_ROAD, lightLux: i % 2 === 0 ? 400 : 0 });
    await t.send(readings);
    const rows = await waitFor(
      async () => {
        const r = await t.rows();
        return r.find((x) => x.type === 'opened_in_transit' && x.repeat_count === 4) ? r : undefined;
      },
      30_000,
      'one incident with four repeats',
    );
    expect(rows.filter((r) => r.type === 'opened_in_transit')).toHaveLength(1);
    const [incident] = rows;
    expect(incident).toMatchObject({
      severity: 'critical',
      status: 'open',
      repeat_count: 4,
      peak: 400,
      ended_at: null,
    });
    expect(incident!.started_at.getTime()).toBe(t0 + 30 * MIN);
    expect(incident!.last_seen_at!.getTime()).toBe(t0 + 60 * MIN);
    // One start notice; the end notice waits until the box stayed shut for the flap window.
    const alerts = async () =>
      (
        await p.pool.query<{ kind: string; body: string }>(
          'select kind, body from alerts where exception_id = $1 order by id',
          [incident!.id],
        )
      ).rows;
    expect((await alerts()).map((a) => a.kind)).toEqual(['opened']);
    await t.send([{ seq: 10, ts: t0 + 100 * MIN, ...ON_THE_ROAD, lightLux: 0 }]);
    const ended = await waitFor(
      async () => {
        const a = await alerts();
        return a.length === 2 ? a : undefined;
      },
      30_000,
      'the end notice',
    );
    expect(ended.map((a) => a.kind)).toEqual(['opened', 'ended']);
    expect(ended[1]!.body).toContain('4 times');
    const [closed] = await t.rows();
    expect(closed!.ended_at!.getTime()).toBe(t0 + 65 * MIN);
  });

  it('MKT over the profile limit raises exactly one exception per trip, with the figure', async () => {
    // 27 °C: under the chocolate's 28 °C limit (no too_hot), over its MKT limit of 25 °C.
    const t = await parcel(CONDITION_PRESETS.chocolate);
    const t0 = Date.now() - 10 * 3600_000;
    const first = Array.from({ length: 30 }, (_, i) => ({ seq: i, ts: t0 + i * 10 * MIN, tempC: 27, ...ON_THE_ROAD }));
    await t.send(first);
    await waitFor(async () => (await t.rows()).some((r) => r.type === 'mkt_exceeded'), 30_000, 'the MKT exception');
    await t.send(
      Array.from({ length: 20 }, (_, i) => ({
        seq: 30 + i,
        ts: t0 + (30 + i) * 10 * MIN,
        tempC: 27.5,
        ...ON_THE_ROAD,
      })),
    );
    // An external broker acknowledges before ingest has stored the batch: wait for it, then for the rules.
    await waitFor(
      async () =>
        (await p.pool.query('select 1 from telemetry where device_id = $1 and seq = 49', [t.deviceId])).rowCount === 1,
      30_000,
      'the second batch stored',
    );
    await p.conditions.drain();
    const mkt = (await t.rows()).filter((r) => r.type === 'mkt_exceeded');
    expect(mkt).toHaveLength(1);
    expect(mkt[0]!.limit_value).toBe(25);
    expect(mkt[0]!.peak).toBeGreaterThan(27);
    expect(mkt[0]!.peak).toBeLessThan(27.5);
    // It opens once the MKT covers the profile's minimum (2 h by default), not at the first readings: judged from
    // t0+15 (packing ignored), the first judged reading is at t0+20, so two hours are covered at t0+140.
    expect(mkt[0]!.started_at.getTime()).toBe(t0 + 140 * MIN);
    expect((await t.rows()).filter((r) => r.type === 'too_hot')).toEqual([]);
  });
});

describe('rules at speed', () => {
  it('a batch touching the trips of several trackers is judged and persisted in one transaction', async () => {
    const parcels = await Promise.all(Array.from({ length: 5 }, () => parcel({}, { geofenced: true })));
    const t0 = Date.now() - 2 * 3600_000;
    // Warm up: each trip is loaded and judged once, on its way.
    await Promise.all(
      parcels.map((x) =>
        x.send([
          { seq: 0, ts: t0, lat: WAREHOUSE[0], lon: WAREHOUSE[1] },
          { seq: 1, ts: t0 + 20 * MIN, ...ON_THE_ROAD },
        ]),
      ),
    );
    await waitFor(
      async () =>
        (
          await p.pool.query('select 1 from telemetry where device_id = any($1) and seq = 1', [
            parcels.map((x) => x.deviceId),
          ])
        ).rowCount === 5,
      30_000,
      'stored',
    );
    await p.conditions.drain();

    // One committed batch: every box opened in transit.
    const batch: Reading[] = parcels.map((x) => ({
      deviceId: x.deviceId,
      seq: 2,
      ts: t0 + 30 * MIN,
      receivedAt: Date.now(),
      ...ON_THE_ROAD,
      lightLux: 500,
    }));
    const commits = countCommits();
    await p.conditions.judge(batch);
    const counted = commits.stop();
    for (const x of parcels) expect((await x.rows()).map((r) => r.type)).toEqual(['opened_in_transit']);
    expect(counted).toBe(1);
  });
});

/** Counts COMMITs sent through the platform's pool until stopped (pool.query checks out with a callback, so both forms). */
function countCommits(): { stop(): number } {
  let count = 0;
  let counting = true;
  type Done = (err: Error | undefined, client: PoolClient, release: () => void) => void;
  const pool = p.pool as unknown as { connect(cb?: Done): Promise<PoolClient> | undefined };
  const connect = pool.connect.bind(pool);
  const patched = new WeakSet<PoolClient>();
  const patch = (client: PoolClient) => {
    if (!client || patched.has(client)) return client;
    patched.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      if (counting && typeof args[0] === 'string' && args[0].trim().toLowerCase() === 'commit') count++;
      return query(...args);
    };
    return client;
  };
  pool.connect = (cb?: Done) => {
    if (cb) return connect((err, client, release) => cb(err, patch(client), release));
    return connect()!.then(patch);
  };
  return {
    stop: () => {
      counting = false;
      pool.connect = connect;
      return count;
    },
  };
}

describe('the trip ends, and late data is corrected in the open', () => {
  it('readings after trip_ends_at are not judged, the open incident ends at the trip end and the tracker is detached', async () => {
    const t = await parcel({}, { geofenced: true });
    const t0 = Date.now() - 3 * 3600_000;
    // Receipt was recorded and its grace period ran out at t0+70 (the lifecycle sets this column).
    await p.pool.query('update shipment_trackers set trip_ends_at = $2 where device_id = $1 and detached_at is null', [
      t.deviceId,
      new Date(t0 + 70 * MIN),
    ]);
    await t.send([
      { seq: 0, ts: t0, lat: WAREHOUSE[0], lon: WAREHOUSE[1] },
      { seq: 1, ts: t0 + 20 * MIN, ...ON_THE_ROAD },
      { seq: 2, ts: t0 + 30 * MIN, ...ON_THE_ROAD, lightLux: 400 },
      { seq: 3, ts: t0 + 60 * MIN, ...ON_THE_ROAD, lightLux: 400 },
      // After the trip end: none of these is judged.
      { seq: 4, ts: t0 + 80 * MIN, ...ON_THE_ROAD, lightLux: 0 },
      { seq: 5, ts: t0 + 90 * MIN, ...ON_THE_ROAD, lightLux: 500 },
      { seq: 6, ts: t0 + 100 * MIN, ...ON_THE_ROAD, lightLux: 0 },
    ]);
    const detached = await waitFor(
      async () => {
        const { rows } = await p.pool.query<{ detached_at: Date | null; detach_reason: string | null }>(
          'select detached_at, detach_reason from shipment_trackers where device_id = $1',
          [t.deviceId],
        );
        return rows[0]?.detached_at ? rows[0] : undefined;
      },
      30_000,
      'the tracker detached at the trip end',
    );
    expect(detached.detached_at!.getTime()).toBe(t0 + 70 * MIN);
    expect(detached.detach_reason).toBe('trip_end');
    await p.conditions.drain();
    const rows = await t.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'opened_in_transit', ended_by: 'trip_end', repeat_count: 1 });
    expect(rows[0]!.ended_at!.getTime()).toBe(t0 + 70 * MIN);
    // The history stays on the old sample; the tracker is free for the next one, whose trip starts when it is
    // attached: what the tracker saw between the two trips (the box open on the way back) is not judged.
    await p.product('ANY-SKU');
    const next = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: '@ava.cooks', sku: 'ANY-SKU' },
    });
    const attach = await p.api(`/api/samples/${next.body.id}/tracker`, {
      method: 'PUT',
      json: { deviceId: t.deviceId },
    });
    expect(attach.status).toBe(200);
    const attachedAt = Date.now();
    await t.send([
      { seq: 7, ts: t0 + 120 * MIN, ...ON_THE_ROAD, lightLux: 600 },
      { seq: 8, ts: attachedAt - 5 * MIN, ...ON_THE_ROAD, lightLux: 600 },
      { seq: 9, ts: attachedAt + 20 * MIN, ...ON_THE_ROAD, lightLux: 700 },
    ]);
    const onNext = await waitFor(
      async () => {
        const r = await p.pool.query<{ type: string; started_at: Date }>(
          'select type, started_at from condition_exceptions where sample_id = $1',
          [next.body.id],
        );
        return r.rows.length ? r.rows : undefined;
      },
      30_000,
      'the next trip judged',
    );
    expect(onNext.map((r) => [r.type, r.started_at.getTime()])).toEqual([['opened_in_transit', attachedAt + 20 * MIN]]);
    expect(await t.rows()).toHaveLength(1);
  });

  it('a late batch that moves the start and the peak of an incident already shown appends a corrected event with both times', async () => {
    const t = await parcel(CONDITION_PRESETS.chocolate);
    const t0 = Date.now() - 3 * 3600_000;
    const live = [20, 20, 20, 20, 20, 20, 30, 30, 30, 30, 30, 30].map((tempC, i) => ({
      seq: i,
      ts: t0 + i * 5 * MIN,
      tempC,
      ...ON_THE_ROAD,
    }));
    await t.send(live);
    const shown = await waitFor(
      async () => (await t.rows()).find((r) => r.type === 'too_hot'),
      30_000,
      'the too_hot exception',
    );
    expect(shown.started_at.getTime()).toBe(t0 + 30 * MIN);
    expect(shown.peak).toBe(30);
    // Buffered during a coverage gap: it was already 31 °C at t0+27.
    const recordedFrom = Date.now();
    await t.send([{ seq: 100, ts: t0 + 27 * MIN, tempC: 31, ...ON_THE_ROAD }]);
    const corrected = await waitFor(
      async () =>
        (
          await p.pool.query<{ kind: string; at: Date; detail: Record<string, unknown> }>(
            `select kind, at, detail from condition_exception_events where exception_id = $1 and kind = 'corrected'`,
            [shown.id],
          )
        ).rows[0],
      3000,
      'the corrected event',
    );
    expect(corrected.detail).toMatchObject({
      eventTime: new Date(t0 + 27 * MIN).toISOString(),
      changed: {
        start: { from: new Date(t0 + 30 * MIN).toISOString(), to: new Date(t0 + 27 * MIN).toISOString() },
        peak: { from: 30, to: 31 },
      },
    });
    expect(Date.parse(String(corrected.detail.recordedAt))).toBeGreaterThanOrEqual(recordedFrom - 1000);
    expect(corrected.at.getTime()).toBeGreaterThanOrEqual(recordedFrom - 1000);
    const [after] = (await t.rows()).filter((r) => r.type === 'too_hot');
    expect(after!.started_at.getTime()).toBe(t0 + 27 * MIN);
    expect(after!.peak).toBe(31);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programApi, dispatch, label } from '../integration/sample-program.support.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

const MIN = 60_000;
const WAREHOUSE = { lat: 34.02, lon: -118.2 };
const CREATOR_HOME = { lat: 34.1, lon: -118.33 };
const suffix = () => Math.random().toString(36).slice(2, 8);

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

/** A sample approved, labelled and dispatched, with a tracker packed and its geofences set. */
async function shippedSample(profile: string) {
  const api = programApi(p);
  const sku = `SKU-${suffix()}`.toUpperCase();
  await api.product(sku, { conditionProfile: profile, unitCostCents: 500 });
  const handle = `@evidence.${suffix()}`;
  await api.creator(handle);
  const req = await api.request({ creator: handle, sku });
  const id = req.sample.id;
  expect(req.sample.status).toBe('approved');
  await api.event(id, label(`1Z${suffix()}`));
  await api.event(id, dispatch);
  const { id: deviceId, secret } = await p.provisionDevice(`trk-ev-${suffix()}`);
  await p.api(`/api/samples/${id}/tracker`, { method: 'PUT', json: { deviceId } });
  const g = await p.api(`/api/samples/${id}/geofences`, {
    method: 'PUT',
    json: { origin: WAREHOUSE, destination: CREATOR_HOME, radiusM: 200 },
  });
  expect(g.status).toBe(200);
  const client = await p.connectTracker(deviceId, secret);
  const send = (readings: object[]) =>
    client.publishAsync(`trackers/${deviceId}/telemetry`, JSON.stringify({ readings }), { qos: 1 });
  const timeline = async () =>
    (
      await p.api<{
        status: string;
        transitions: { event: string; actor: { kind: string }; data: Record<string, unknown> }[];
      }>(`/api/samples/${id}/timeline`)
    ).body;
  return { id, send, timeline };
}

describe('tracker evidence moves the sample lifecycle', () => {
  it('leaving the origin marks the parcel in transit; arrival plus box opened there records receipt with time and place', async () => {
    const s = await shippedSample('ambient');
    const t0 = Date.now() - 2 * 3600_000;
    await s.send([
      { seq: 0, ts: t0, ...WAREHOUSE, lightLux: 200 }, // packing light at the warehouse: expected
      { seq: 1, ts: t0 + 20 * MIN, ...WAREHOUSE },
      { seq: 2, ts: t0 + 40 * MIN, lat: 34.05, lon: -118.25 },
    ]);
    await waitFor(async () => (await s.timeline()).status === 'in_transit', 3000, 'in transit');
    const openedAt = t0 + 80 * MIN;
    await s.send([
      { seq: 3, ts: t0 + 70 * MIN, ...CREATOR_HOME },
      { seq: 4, ts: openedAt, ...CREATOR_HOME, lightLux: 350 },
    ]);
    const tl = await waitFor(
      async () => {
        const t = await s.timeline();
        return t.status === 'delivered' ? t : undefined;
      },
      3000,
      'delivered',
    );
    const deliver = tl.transitions.find((x) => x.event === 'deliver')!;
    expect(deliver.actor.kind).toBe('tracker');
    expect(deliver.data).toMatchObject({ receivedAt: openedAt, evidence: 'tracker' });
    expect(String(deliver.data.note)).toContain('34.10000, -118.33000');
    // Packing light at the origin raised nothing.
    const ex = await p.api<{ exceptions: { type: string }[] }>(`/api/exceptions?sampleId=${s.id}`);
    expect(ex.body.exceptions.map((e) => e.type)).toEqual(['opened_at_destination']);
  });

  it('a critical excursion (cold chain out of 2–8 °C) moves the sample into the damaged branch, open to a reship', async () => {
    // Before: any excursion moved the sample to damaged; now only one at or above the profile's damageSeverity (critical).
    const s = await shippedSample('cold-chain');
    const t0 = Date.now() - 3 * 3600_000;
    const temps = [5, 5, 5, 5, 5, 5, 12, 12, 12, 12, 12, 12, 12];
    await s.send(temps.map((tempC, i) => ({ seq: i, ts: t0 + i * 5 * MIN, tempC, lat: 35 + i * 0.01, lon: -110 })));
    const tl = await waitFor(
      async () => {
        const t = await s.timeline();
        return t.status === 'damaged' ? t : undefined;
      },
      3000,
      'damaged',
    );
    const damage = tl.transitions.find((x) => x.event === 'report_damage')!;
    expect(damage.actor.kind).toBe('tracker');
    expect(damage.data).toMatchObject({ suspectedCause: 'transit' });
    const reship = await p.api<{ sample: { reshipOf: string } }>(`/api/samples/${s.id}/reship`, {
      method: 'POST',
      json: {},
      as: { person: 'sam', role: 'fulfillment' },
    });
    expect(reship.status).toBe(201);
    expect(reship.body.sample.reshipOf).toBe(s.id);
  });

  it('a warning-level shock on chocolate stays on the record and in the inbox but does not damage the sample; a critical one on a fragile parcel does', async () => {
    const choc = await shippedSample('chocolate');
    const glass = await shippedSample('fragile');
    const t0 = Date.now() - 2 * 3600_000;
    const drop = (shockG: number) => [
      { seq: 0, ts: t0, lat: 35, lon: -110 },
      { seq: 1, ts: t0 + 20 * MIN, lat: 35.1, lon: -110, shockG },
      { seq: 2, ts: t0 + 25 * MIN, lat: 35.2, lon: -110 },
    ];
    await choc.send(drop(20));
    await glass.send(drop(20));
    await waitFor(async () => (await glass.timeline()).status === 'damaged', 3000, 'the fragile sample damaged');
    const shocks = await waitFor(
      async () => {
        const { body } = await p.api<{ exceptions: { type: string; severity: string; status: string }[] }>(
          `/api/exceptions?sampleId=${choc.id}`,
        );
        return body.exceptions.length ? body.exceptions : undefined;
      },
      3000,
      "the chocolate's shock exception",
    );
    expect(shocks).toMatchObject([{ type: 'shock', severity: 'warning', status: 'open' }]);
    await p.conditions.drain();
    const tl = await choc.timeline();
    expect(tl.status).toBe('in_transit');
    expect(tl.transitions.map((x) => x.event)).not.toContain('report_damage');
  });
});

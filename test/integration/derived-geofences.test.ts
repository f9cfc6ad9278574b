import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioTracker } from '../../device-sim/scenario-tracker.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { dispatch, label, programApi } from './sample-program.support.ts';

interface Geofences {
  origin: { lat: number; lon: number } | null;
  destination: { lat: number; lon: number } | null;
  radiusM: number;
  piiRedacted?: true;
}

const MIN = 60_000;
const WAREHOUSE = { lat: 34.02, lon: -118.2 };
const HOME = { lat: 34.1, lon: -118.33 };
const suffix = () => Math.random().toString(36).slice(2, 8);

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ ORIGIN_WAREHOUSE: `${WAREHOUSE.lat},${WAREHOUSE.lon}`, GEOFENCE_RADIUS_M: '250' });
});
afterAll(async () => {
  await p?.close();
});

/** An approved sample for a creator whose shipping address has coordinates. */
async function approvedSample() {
  const api = programApi(p);
  const sku = `GEO-${suffix()}`.toUpperCase();
  await api.product(sku, { conditionProfile: 'ambient' });
  const handle = `@geo.${suffix()}`;
  await api.creator(handle, {
    addresses: [{ line1: '1 Palm Dr', city: 'Los Angeles', postalCode: '90026', country: 'US', ...HOME }],
  });
  const req = await api.request({ creator: handle, sku });
  expect(req.sample.status).toBe('approved');
  const geofences = async (as: 'admin' | 'viewer' = 'admin') =>
    (await p.api<{ geofences: Geofences }>(`/api/samples/${req.sample.id}`, { as })).body.geofences;
  return { api, id: req.sample.id, handle, geofences };
}

describe("geofences from the warehouse and the creator's address", () => {
  it('a labelled sample gets them; they drive departure (auto-dispatch) and receipt evidence; viewers see no destination', async () => {
    const s = await approvedSample();
    expect(await s.geofences()).toEqual({ origin: null, destination: null, radiusM: 300 });
    await s.api.event(s.id, label(`1Z${suffix()}`));
    expect(await s.geofences()).toEqual({ origin: WAREHOUSE, destination: HOME, radiusM: 250 });
    // The address's coordinates are PII: withheld wherever the street is.
    expect(await s.geofences('viewer')).toEqual({
      origin: WAREHOUSE,
      destination: null,
      radiusM: 250,
      piiRedacted: true,
    });
    const forOps = await p.api<{ addresses: Record<string, unknown>[] }>(
      `/api/creators/${encodeURIComponent(s.handle)}`,
      { as: 'ops' },
    );
    expect(forOps.body.addresses[0]).toMatchObject(HOME);
    const creator = await p.api<{ addresses: Record<string, unknown>[] }>(
      `/api/creators/${encodeURIComponent(s.handle)}`,
      { as: 'viewer' },
    );
    expect(creator.body.addresses[0]).not.toHaveProperty('lat');
    expect(creator.body.addresses[0]).not.toHaveProperty('lon');

    // Not dispatched by anyone: the tracker leaving the warehouse does it.
    const { id: deviceId, secret } = await p.provisionDevice(`trk-geo-${suffix()}`);
    await p.api(`/api/samples/${s.id}/tracker`, { method: 'PUT', json: { deviceId } });
    const tracker = new ScenarioTracker({ url: p.mqttUrl, id: deviceId, secret });
    await tracker.connect();
    const t0 = Date.now() - 2 * 3600_000;
    const timeline = async () =>
      (
        await p.api<{
          status: string;
          transitions: { event: string; actor: { kind: string }; at: string; data: Record<string, unknown> }[];
        }>(`/api/samples/${s.id}/timeline`)
      ).body;
    await tracker.play([
      { seq: 0, ts: t0, ...WAREHOUSE, lightLux: 300 }, // packing light at the warehouse
      { seq: 1, ts: t0 + 20 * MIN, lat: WAREHOUSE.lat + 0.001, lon: WAREHOUSE.lon }, // ~110 m: still inside 250 m
      { seq: 2, ts: t0 + 40 * MIN, lat: 34.05, lon: -118.25 },
    ]);
    const moving = await waitFor(
      async () => {
        const t = await timeline();
        return t.status === 'in_transit' ? t : undefined;
      },
      3000,
      'in transit',
    );
    const left = moving.transitions.find((x) => x.event === 'mark_in_transit')!;
    expect(left.actor.kind).toBe('tracker');
    expect(Date.parse(left.at)).toBe(t0 + 40 * MIN);

    const openedAt = t0 + 80 * MIN;
    await tracker.play([
      { seq: 3, ts: t0 + 70 * MIN, lat: HOME.lat + 0.001, lon: HOME.lon }, // ~110 m from the door
      { seq: 4, ts: openedAt, ...HOME, lightLux: 350 },
    ]);
    await tracker.stop();
    const done = await waitFor(
      async () => {
        const t = await timeline();
        return t.status === 'delivered' ? t : undefined;
      },
      3000,
      'delivered',
    );
    expect(done.transitions.find((x) => x.event === 'deliver')!.data).toMatchObject({
      receivedAt: openedAt,
      evidence: 'tracker',
    });
    const ex = await p.api<{ exceptions: { type: string }[] }>(`/api/exceptions?sampleId=${s.id}`);
    expect(ex.body.exceptions.map((e) => e.type)).toEqual(['opened_at_destination']);
  });

  it('explicit geofences win over the derived ones, before and after dispatch', async () => {
    const s = await approvedSample();
    const depot = { lat: 33.9, lon: -118.1 };
    const put = await p.api(`/api/samples/${s.id}/geofences`, {
      method: 'PUT',
      json: { origin: depot, destination: null, radiusM: 500 },
    });
    expect(put.status).toBe(200);
    await s.api.event(s.id, label(`1Z${suffix()}`));
    // The origin set by hand stays (with its radius); the unset destination comes from the address.
    expect(await s.geofences()).toEqual({ origin: depot, destination: HOME, radiusM: 500 });
    await p.api(`/api/samples/${s.id}/geofences`, {
      method: 'PUT',
      json: { origin: WAREHOUSE, destination: depot, radiusM: 100 },
    });
    await s.api.event(s.id, dispatch);
    expect(await s.geofences()).toEqual({ origin: WAREHOUSE, destination: depot, radiusM: 100 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { ScenarioTracker } from '../../device-sim/scenario-tracker.ts';
import { SCENARIOS } from '../../device-sim/scenarios.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { aProduct } from '../support/builders.ts';
import { waitFor } from '../support/wait-for.ts';

interface Exception {
  id: number;
  sampleId: string;
  type: string;
  severity: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  peak: number;
  limit: number;
  evidence: number[];
  creator: string;
  sku: string;
}

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const MIN = 60_000;
const suffix = () => Math.random().toString(36).slice(2, 8);

async function packedTracker(sku: string) {
  const { id, secret } = await p.provisionDevice(`trk-cond-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', { method: 'POST', json: { creator: '@ava.cooks', sku } });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
  return { id, secret, sampleId: sample.body.id };
}

async function packedParcel(sku: string) {
  const { id, secret, sampleId } = await packedTracker(sku);
  const client = await p.connectTracker(id, secret);
  const send = (readings: object[]) =>
    client.publishAsync(
      `trackers/${id}/telemetry`,
      JSON.stringify(readings.length === 1 ? readings[0] : { readings }),
      { qos: 1 },
    );
  return { id, sampleId, send };
}

describe('condition exceptions raised against the sample', () => {
  it('a chocolate parcel heating past its profile opens one exception within a second, live, and it can be acknowledged and resolved', async () => {
    const sku = `CHOC-${suffix()}`;
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS.chocolate });
    const parcel = await packedParcel(sku);
    const live: Exception[] = [];
    const ws = new WebSocket(`${p.httpUrl.replace('http', 'ws')}/api/live`, { headers: await p.authHeaders('viewer') });
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'exceptions') live.push(...m.exceptions);
    });
    await new Promise((r) => ws.once('open', r));

    // Packed at t0 (15 min ignore period), cool, then 30–31 °C from t0+30 for 25 min: over
    // the profile's 28 °C for longer than its 20 min.
    const t0 = Date.now() - 3 * 3600_000;
    const temps = [20, 20, 20, 20, 20, 20, 30, 31, 30.5, 30, 31, 30, 21, 20];
    const readings = temps.map((tempC, i) => ({ seq: i, ts: t0 + i * 5 * MIN, tempC, lat: 39, lon: -98 }));
    // Live up to the confirming reading (t0+50 = 20 min after the excursion began)...
    for (const r of readings.slice(0, 11)) await parcel.send([r]);
    const receivedAt = Date.now();
    const opened = await waitFor(
      async () => {
        const { body } = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${parcel.sampleId}`);
        return body.exceptions.find((e) => e.type === 'too_hot');
      },
      1000,
      'the too_hot exception',
    );
    expect(Date.now() - receivedAt).toBeLessThan(1000);
    expect(opened).toMatchObject({
      status: 'open',
      severity: 'warning',
      limit: 28,
      peak: 31,
      endedAt: null,
      creator: '@ava.cooks',
      sku,
    });
    expect(Date.parse(opened.startedAt)).toBe(t0 + 30 * MIN);
    await waitFor(() => live.find((e) => e.id === opened.id), 2000, 'the exception on the live socket');
    // The parcel counts its sample's open exceptions (here also "silent": the last reading is over 2 h old).
    const parcels = await p.api<{ parcels: { deviceId: string; openExceptions: number }[] }>('/api/parcels');
    const open = await p.api<{ exceptions: unknown[] }>(`/api/exceptions?sampleId=${parcel.sampleId}&status=open`);
    expect(open.body.exceptions.length).toBeGreaterThanOrEqual(1);
    expect(parcels.body.parcels.find((x) => x.deviceId === parcel.id)?.openExceptions).toBe(
      open.body.exceptions.length,
    );

    // ...then the rest, as a late batch in shuffled order: it ends the episode, no second one. The incident's
    // end is final once the temperature stayed in range for the profile's flap window (30 min): the reading at t0+100.
    await parcel.send([
      readings[13]!,
      readings[11]!,
      { seq: 14, ts: t0 + 100 * MIN, tempC: 20, lat: 39, lon: -98 },
      readings[12]!,
    ]);
    const ended = await waitFor(
      async () => {
        const { body } = await p.api<Exception & { events: { kind: string }[] }>(`/api/exceptions/${opened.id}`);
        return body.endedAt ? body : undefined;
      },
      2000,
      'the end of the episode',
    );
    expect(Date.parse(ended.endedAt!)).toBe(t0 + 60 * MIN);
    expect(ended.events.map((e) => e.kind)).toEqual(['opened', 'ended']);
    const all = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${parcel.sampleId}`);
    expect(all.body.exceptions.filter((e) => e.type === 'too_hot')).toHaveLength(1);

    const dana = { person: 'dana', role: 'fulfillment' } as const;
    const ack = await p.api<Exception>(`/api/exceptions/${opened.id}/acknowledge`, {
      method: 'POST',
      json: { note: 'on it' },
      as: dana,
    });
    expect(ack.body.status).toBe('acknowledged');
    const again = await p.api<{ error: { code: string; details: { current: string } } }>(
      `/api/exceptions/${opened.id}/acknowledge`,
      { method: 'POST', json: {} },
    );
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { current: 'acknowledged' } });
    // "accept": this bare sample was never shipped, so a reship or a claim would be refused (409).
    const resolved = await p.api<Exception>(`/api/exceptions/${opened.id}/resolve`, {
      method: 'POST',
      json: { disposition: 'accept' },
      as: dana,
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', disposition: 'accept' });
    // Both are recorded and audited as the signed-in person: no body can name someone else.
    const me = await p.api<{ tokenId: number }>('/api/auth/me', { as: dana });
    const audit = await p.api<{ entries: { actor: string; action: string; detail: Record<string, unknown> }[] }>(
      `/api/audit?entity=exception:${opened.id}`,
    );
    expect(audit.body.entries.map((e) => [e.actor, e.action, e.detail.by])).toEqual([
      [`token:${me.body.tokenId}`, 'exception.resolve', 'dana@test.local'],
      [`token:${me.body.tokenId}`, 'exception.acknowledge', 'dana@test.local'],
    ]);
    ws.close();
  });

  it('judges by event time: the heat excursion scenario uploaded as one shuffled late batch gives the same episode', async () => {
    const sku = `CHOC-${suffix()}`;
    // One excursion, no flap window: its end is final at the reading that ends it.
    await aProduct(p.pool, { sku, profile: { ...CONDITION_PRESETS.chocolate, flapWindowMs: 0 } });
    const parcel = await packedTracker(sku);
    const t0 = Date.now() - 90 * MIN;
    // 20 °C, then 30–31 °C from t0+30 for 25 min, then 20 °C again.
    const scenario = SCENARIOS.heatExcursion({ startAt: t0, peakC: 31, durationMin: 25 });
    const tracker = new ScenarioTracker({ url: p.mqttUrl, id: parcel.id, secret: parcel.secret, seed: 5 });
    await tracker.connect();
    // Out of coverage from packing on: every reading arrives in one shuffled backlog batch.
    await tracker.play(scenario, { coverageGapFrom: t0 });
    await tracker.stop();
    const e = await waitFor(
      async () => {
        const { body } = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${parcel.sampleId}`);
        return body.exceptions.find((x) => x.type === 'too_hot');
      },
      2000,
      'the exception',
    );
    expect(Date.parse(e.startedAt)).toBe(t0 + 30 * MIN);
    expect(Date.parse(e.endedAt!)).toBe(t0 + 55 * MIN);
    expect(e.peak).toBe(31);
  });

  it('raises a shock against a fragile parcel and a box opened in transit', async () => {
    const sku = `GLASS-${suffix()}`;
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS.fragile });
    const parcel = await packedParcel(sku);
    const t0 = Date.now() - 3600_000;
    await parcel.send([
      { seq: 0, ts: t0 },
      { seq: 1, ts: t0 + 20 * MIN, shockG: 12 },
      { seq: 2, ts: t0 + 25 * MIN, lightLux: 300 },
    ]);
    const found = await waitFor(
      async () => {
        const { body } = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${parcel.sampleId}`);
        return body.exceptions.length >= 2 ? body.exceptions : undefined;
      },
      2000,
      'two exceptions',
    );
    expect(found.map((e) => e.type).sort()).toEqual(['opened_in_transit', 'shock']);
    expect(found.find((e) => e.type === 'shock')).toMatchObject({ peak: 12, severity: 'critical' });
    // Critical first in the inbox.
    expect(found.every((e) => e.severity === 'critical')).toBe(true);
  });
});

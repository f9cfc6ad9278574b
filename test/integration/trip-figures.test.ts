import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

interface Figures {
  sampleId: string;
  source: string;
  trackers: {
    deviceId: string;
    from: string | null;
    to: string | null;
    readings: number;
    mkt: { valueC: number; limitC: number | null; exceeded: boolean } | null;
    budget: { usedMs: number; allowedMs: number | null; exceeded: boolean };
  }[];
}

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const MIN = 60_000;

describe("a sample's trip figures", () => {
  it('reports the MKT and the stability budget of the stored readings against its profile', async () => {
    await aProduct(p.pool, {
      sku: 'MKT-BAR',
      profile: {
        temperature: { maxC: 28, minDurationMs: 30 * MIN, budgetMs: 5 * MIN, mkt: { limitC: 25 } },
        ignoreAfterStartMs: 0,
      },
    });
    const { id: deviceId, secret } = await p.provisionDevice('trk-mkt-001');
    const sample = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: '@mkt.tester', sku: 'MKT-BAR' },
    });
    const before = await p.api<Figures>(`/api/samples/${sample.body.id}/trip-figures`, { as: 'viewer' });
    expect(before.body).toEqual({ sampleId: sample.body.id, source: 'product', trackers: [] });
    await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId } });

    // 20, 25, 30 °C, each held 10 minutes, then a last 30 °C: MKT 25.86 °C, hand-computed in
    // core/domain/condition/mkt.test.ts. Above 28 °C: 30 °C held 20→30 min = 10 minutes.
    const t0 = Date.now() - 60 * MIN;
    const tracker = await p.connectTracker(deviceId, secret);
    const temps = [20, 25, 30, 30];
    // Sent out of order, as a tracker back in coverage might: the figures go by event time.
    for (const i of [3, 1, 0, 2]) {
      await tracker.publishAsync(
        `trackers/${deviceId}/telemetry`,
        JSON.stringify({ seq: i, ts: t0 + i * 10 * MIN, tempC: temps[i] }),
        { qos: 1 },
      );
    }
    await tracker.endAsync();

    const figures = await waitFor(
      async () => {
        const res = await p.api<Figures>(`/api/samples/${sample.body.id}/trip-figures`, { as: 'viewer' });
        return res.body.trackers[0]?.readings === 4 ? res.body : undefined;
      },
      3000,
      'the four readings in the trip figures',
    );
    const [ride] = figures.trackers;
    expect(ride).toMatchObject({
      deviceId,
      from: new Date(t0).toISOString(),
      to: new Date(t0 + 30 * MIN).toISOString(),
      mkt: { limitC: 25, exceeded: true },
      budget: { usedMs: 10 * MIN, allowedMs: 5 * MIN, exceeded: true },
    });
    expect(ride!.mkt!.valueC).toBeCloseTo(25.86, 2);
  });

  it('answers 404 for an unknown sample and 400 for a malformed id', async () => {
    expect((await p.api('/api/samples/SMP-26-999999/trip-figures')).status).toBe(404);
    expect((await p.api('/api/samples/nope/trip-figures')).status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConditionMonitor } from '../../rules/condition-monitor.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A tracker that goes quiet sends nothing that would bring its trip back into a freshly
 * started rules engine (a restart, or an ingest worker that took over its partition). The
 * engine watches every trip on the road from the start, so the silence is still found.
 */
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.close());

const MIN = 60_000;

describe('the no-signal rule after a restart', () => {
  it('a trip that went quiet before the restart gets its no-signal exception from the new engine', async () => {
    const sku = `QUIET-${Date.now().toString(36)}`.toUpperCase();
    await aProduct(p.pool, { sku, profile: { noSignal: { timeoutMs: 20 * MIN } } });
    const { id: deviceId, secret } = await p.provisionDevice(`trk-quiet-${Date.now().toString(36)}`);
    const sample = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: '@quiet.one', sku },
    });
    expect((await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId } })).status).toBe(
      200,
    );
    // Fresh readings: not silent while the first engine judges them.
    const tracker = await p.connectTracker(deviceId, secret);
    const start = Date.now() - 10 * MIN;
    for (let seq = 1; seq <= 5; seq++)
      await tracker.publishAsync(
        `trackers/${deviceId}/telemetry`,
        JSON.stringify({ seq, ts: new Date(start + seq * 2 * MIN).toISOString(), tempC: 5 }),
        { qos: 1 },
      );
    await tracker.endAsync();
    await waitFor(
      async () =>
        Number(
          (await p.pool.query<{ n: string }>('select count(*) as n from telemetry where device_id = $1', [deviceId]))
            .rows[0]!.n,
        ) === 5,
      15_000,
      'readings stored',
    );
    const noSignal = async () =>
      (
        await p.api<{ exceptions: { type: string }[] }>(`/api/exceptions?sampleId=${sample.body.id}`)
      ).body.exceptions.filter((e) => e.type === 'no_signal');
    await p.conditions.drain();
    expect(await noSignal()).toEqual([]);

    // An hour later the tracker has said nothing more, and the rules engine has restarted
    // (a new one on the same database, as platform/steps.ts starts it, its clock an hour on).
    const restarted = new ConditionMonitor({
      pool: p.pool,
      log: p.log,
      publicUrl: 'http://localhost',
      now: () => Date.now() + 60 * MIN,
    });
    await restarted.watch();
    await restarted.tick();
    await restarted.drain();
    expect(await noSignal()).toHaveLength(1);
    // And only once: another tick, or the old engine's, raises nothing more.
    await restarted.tick();
    await p.conditions.tick();
    expect(await noSignal()).toHaveLength(1);
  });
});

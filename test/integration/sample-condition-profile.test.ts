import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS, type ConditionProfileInput } from '../../core/domain/condition/index.ts';
import { ScenarioTracker } from '../../device-sim/scenario-tracker.ts';
import { SCENARIOS, scenarioSpanMs } from '../../device-sim/scenarios.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

interface Condition {
  source: string;
  sampleProfile: Record<string, unknown> | null;
  effectiveProfile: Record<string, unknown>;
}
interface Exception {
  type: string;
  severity: string;
  startedAt: string;
  peak: number;
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
// Replaying 80 minutes of history at once must not look like a silence (see condition-scenarios.test.ts).
const quiet = (profile: ConditionProfileInput): ConditionProfileInput => ({
  ...profile,
  noSignal: { timeoutMs: 6 * 60 * MIN },
});
const CHILLED = quiet(CONDITION_PRESETS['cold-chain']);
const CHOCOLATE = quiet(CONDITION_PRESETS.chocolate);
/** A chilled parcel (5 °C) that warms to about 12 °C for 40 minutes: fine for chocolate, an excursion for the cold chain. */
const warming = (startAt: number) =>
  SCENARIOS.heatExcursion({ startAt, baseline: { tempC: 5 }, peakC: 12, durationMin: 40 });

async function parcel(productProfile: ConditionProfileInput) {
  const sku = `OVR-${suffix()}`.toUpperCase();
  await aProduct(p.pool, { sku, profile: productProfile });
  const { id: deviceId, secret } = await p.provisionDevice(`trk-ovr-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', {
    method: 'POST',
    json: { creator: '@override.tester', sku },
  });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId } });
  const play = async () => {
    const scenario = warming(Date.now() - scenarioSpanMs(warming(0)) - 2 * MIN);
    const tracker = new ScenarioTracker({ url: p.mqttUrl, id: deviceId, secret });
    await tracker.connect();
    await tracker.play(scenario);
    await tracker.stop();
    return scenario;
  };
  const exceptions = async () =>
    (await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${sample.body.id}`)).body.exceptions;
  return { id: sample.body.id, play, exceptions };
}

describe('a sample judged by its own condition profile', () => {
  it('an override makes readings its product accepts raise an exception, and the other way round', async () => {
    // Chocolate product, cold-chain sample: the warming is an excursion.
    const strict = await parcel(CHOCOLATE);
    const set = await p.api<Condition>(`/api/samples/${strict.id}/condition-profile`, {
      method: 'PUT',
      json: { profile: CHILLED },
      as: 'ops',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      source: 'sample',
      sampleProfile: { name: 'cold-chain' },
      effectiveProfile: { temperature: { minC: 2, maxC: 8 } },
    });
    const detail = await p.api<{ id: string; condition: Condition }>(`/api/samples/${strict.id}`, { as: 'viewer' });
    expect(detail.body.condition).toEqual(set.body);

    // Cold-chain product, sample allowed the chocolate profile: the same warming is fine.
    const lenient = await parcel(CHILLED);
    expect(
      (await p.api(`/api/samples/${lenient.id}/condition-profile`, { method: 'PUT', json: { profile: 'chocolate' } }))
        .status,
    ).toBe(200);

    // The monitor judges batches in the order they were stored: once the strict parcel's
    // exception is there, the lenient parcel (played first) has been judged too.
    await lenient.play();
    const scenario = await strict.play();
    const raised = await waitFor(
      async () => (await strict.exceptions()).find((e) => e.type === 'too_hot'),
      3000,
      'the too_hot exception',
    );
    expect(raised).toMatchObject({ severity: 'critical', peak: 12 });
    expect(Date.parse(raised.startedAt)).toBe(scenario.incident.start);
    expect(await strict.exceptions()).toHaveLength(1);
    expect(await lenient.exceptions()).toEqual([]);
  });

  it("null goes back to the product's profile; each change is audited; bad profiles are refused", async () => {
    const s = await parcel(CHOCOLATE);
    expect((await p.api<Condition>(`/api/samples/${s.id}`)).body).toMatchObject({
      condition: { source: 'product', sampleProfile: null },
    });
    await p.api(`/api/samples/${s.id}/condition-profile`, { method: 'PUT', json: { profile: 'fragile' } });
    const cleared = await p.api<Condition>(`/api/samples/${s.id}/condition-profile`, {
      method: 'PUT',
      json: { profile: null },
    });
    expect(cleared.body).toMatchObject({
      source: 'product',
      sampleProfile: null,
      effectiveProfile: { name: 'chocolate' },
    });

    const audit = await p.api<{
      entries: { action: string; detail: { from: { name?: string } | null; to: { name?: string } | null } }[];
    }>(`/api/audit?entity=sample:${s.id}`);
    const changes = audit.body.entries.filter((e) => e.action === 'sample.condition_profile');
    expect(changes.map((e) => [e.detail.from?.name ?? null, e.detail.to?.name ?? null])).toEqual([
      ['fragile', null],
      [null, 'fragile'],
    ]);

    const inverted = await p.api<{ error: { code: string } }>(`/api/samples/${s.id}/condition-profile`, {
      method: 'PUT',
      json: { profile: { temperature: { minC: 10, maxC: 2 } } },
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.code).toBe('VALIDATION_FAILED');
    expect(
      (await p.api(`/api/samples/${s.id}/condition-profile`, { method: 'PUT', json: { profile: 'frozen-peas' } }))
        .status,
    ).toBe(400);
    expect(
      (await p.api('/api/samples/SMP-26-999999/condition-profile', { method: 'PUT', json: { profile: null } })).status,
    ).toBe(404);
    expect(
      (
        await p.api(`/api/samples/${s.id}/condition-profile`, {
          method: 'PUT',
          json: { profile: null },
          as: 'fulfillment',
        })
      ).status,
    ).toBe(403);
  });
});

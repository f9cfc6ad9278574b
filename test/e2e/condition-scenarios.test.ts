import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS, type ConditionProfileInput } from '../../core/domain/condition/index.ts';
import { ScenarioTracker, type PlayOptions } from '../../device-sim/scenario-tracker.ts';
import { SCENARIOS, scenarioSpanMs, type Scenario } from '../../device-sim/scenarios.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

interface Exception {
  type: string;
  severity: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  peak: number;
  stage: string | null;
}

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

const MIN = 60_000;
const HOME = { lat: 34.1, lon: -118.33 };
const suffix = () => Math.random().toString(36).slice(2, 8);

/**
 * A scenario ends two minutes ago: its readings carry simulated event times in the past,
 * so a trip of hours plays in well under a second, and the last reading is recent enough
 * that no profile's no-signal timeout runs from it to now.
 */
const startAt = (span: (startAt: number) => Scenario) => Date.now() - scenarioSpanMs(span(0)) - 2 * MIN;

/** Plays a scenario in a fresh parcel whose product has `profile`; returns the sample's exceptions once the incident's is final. */
async function playInParcel(
  make: (startAt: number) => Scenario,
  profile: ConditionProfileInput,
  opts: PlayOptions & { geofenced?: boolean; at?: number } = {},
) {
  const sku = `SCN-${suffix()}`.toUpperCase();
  await aProduct(p.pool, { sku, profile });
  const { id, secret } = await p.provisionDevice(`trk-scn-${suffix()}`);
  const sample = await p.api<{ id: string }>('/api/samples', {
    method: 'POST',
    json: { creator: '@scenario.tester', sku },
  });
  await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: id } });
  if (opts.geofenced)
    await p.api(`/api/samples/${sample.body.id}/geofences`, {
      method: 'PUT',
      json: { origin: null, destination: HOME, radiusM: 200 },
    });
  const scenario = make(opts.at ?? startAt(make));
  const tracker = new ScenarioTracker({ url: p.mqttUrl, id, secret });
  await tracker.connect();
  const gapFrom =
    opts.coverageGapFrom === undefined
      ? {}
      : { coverageGapFrom: (scenario.readings[0]!.ts as number) + opts.coverageGapFrom };
  await tracker.play(scenario, gapFrom);
  await tracker.stop();
  const { incident } = scenario;
  const final = (e: Exception) =>
    Date.parse(e.startedAt) === incident.start &&
    e.peak === incident.peak &&
    (e.endedAt === null ? null : Date.parse(e.endedAt)) === incident.end;
  const exceptions = await waitFor(
    async () => {
      const { body } = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${sample.body.id}`);
      return body.exceptions.some(final) ? body.exceptions : undefined;
    },
    3000,
    `the ${scenario.name} exception`,
  ).catch(async (err: unknown) => {
    const { body } = await p.api<{ exceptions: Exception[] }>(`/api/exceptions?sampleId=${sample.body.id}`);
    throw new Error(`${String(err)}; expected ${JSON.stringify(incident)}, got ${JSON.stringify(body.exceptions)}`);
  });
  return { scenario, exceptions };
}

/**
 * Replaying hours of history within a second looks, to the platform's wall clock, like a
 * tracker silent since the first reading: a no-signal episode opens and is retracted as
 * the rest arrives. Profiles of scenarios longer than their no-signal timeout get a longer one.
 */
const replayable = (profile: ConditionProfileInput): ConditionProfileInput => ({
  ...profile,
  noSignal: { timeoutMs: 6 * 60 * MIN },
});

/**
 * Each scenario is one excursion: judged without a flap window, its end is final at the
 * reading that ends it. (With the window, the incident's end waits until the rule stayed
 * clear that long: test/e2e/condition-incidents.test.ts.)
 */
const oneExcursion = (profile: ConditionProfileInput): ConditionProfileInput => ({ ...profile, flapWindowMs: 0 });

const summary = (e: Exception) => ({
  type: e.type,
  severity: e.severity,
  start: Date.parse(e.startedAt),
  end: e.endedAt === null ? null : Date.parse(e.endedAt),
  peak: e.peak,
});

interface Case {
  make: (startAt: number) => Scenario;
  profile: ConditionProfileInput;
  type: string;
  severity: string;
  geofenced?: boolean;
}

const CASES: Record<string, Case> = {
  'heat excursion → too_hot': {
    make: (startAt) => SCENARIOS.heatExcursion({ startAt }),
    profile: CONDITION_PRESETS.chocolate,
    type: 'too_hot',
    severity: 'warning',
  },
  'cold exposure → too_cold': {
    make: (startAt) => SCENARIOS.coldExposure({ startAt }),
    profile: replayable(CONDITION_PRESETS['cold-chain']),
    type: 'too_cold',
    severity: 'critical',
  },
  'short warm spells → budget_exceeded': {
    make: (startAt) => SCENARIOS.stabilityBudget({ startAt, limitC: 28, budgetMin: 60, spellMin: 15 }),
    // MKT off: the same warm spells also take the chocolate's MKT over 25 °C (mkt_exceeded, tested in condition-incidents).
    profile: replayable({
      ...CONDITION_PRESETS.chocolate,
      temperature: { ...CONDITION_PRESETS.chocolate.temperature!, mkt: undefined },
    }),
    type: 'budget_exceeded',
    severity: 'critical',
  },
  'damp air → too_humid': {
    make: (startAt) => SCENARIOS.humid({ startAt }),
    profile: CONDITION_PRESETS.chocolate,
    type: 'too_humid',
    severity: 'warning',
  },
  'dry air → too_dry': {
    make: (startAt) => SCENARIOS.dry({ startAt }),
    profile: { name: 'paper', humidity: { minPct: 25, minDurationMs: 30 * MIN } },
    type: 'too_dry',
    severity: 'warning',
  },
  'drop → shock': {
    make: (startAt) => SCENARIOS.drop({ startAt, g: 12 }),
    profile: CONDITION_PRESETS.fragile,
    type: 'shock',
    severity: 'critical',
  },
  'tipped over → tilted': {
    make: (startAt) => SCENARIOS.tipOver({ startAt }),
    profile: CONDITION_PRESETS.fragile,
    type: 'tilted',
    severity: 'warning',
  },
  'opened on the way → opened_in_transit': {
    make: (startAt) => SCENARIOS.openInTransit({ startAt }),
    profile: CONDITION_PRESETS.ambient,
    type: 'opened_in_transit',
    severity: 'critical',
  },
  'opened at home → opened_at_destination': {
    make: (startAt) => SCENARIOS.openAtDestination({ startAt, destination: HOME }),
    profile: CONDITION_PRESETS.ambient,
    type: 'opened_at_destination',
    severity: 'info',
    geofenced: true,
  },
  'battery running down → battery_low': {
    make: (startAt) => SCENARIOS.batteryDrain({ startAt }),
    profile: CONDITION_PRESETS.ambient,
    type: 'battery_low',
    severity: 'warning',
  },
  'tracker silent → no_signal': {
    make: (startAt) => SCENARIOS.signalLoss({ startAt, baseline: { tempC: 5 }, silenceMin: 80 }),
    profile: CONDITION_PRESETS['cold-chain'],
    type: 'no_signal',
    severity: 'warning',
  },
};

describe('device-sim scenarios through the real platform', () => {
  it.each(Object.entries(CASES))(
    "%s: exactly that exception opens against the sample, at the event time with the scenario's peak",
    async (_name, c) => {
      const { scenario, exceptions } = await playInParcel(c.make, oneExcursion(c.profile), {
        geofenced: c.geofenced ?? false,
      });
      const { incident } = scenario;
      expect(exceptions.map(summary)).toEqual([
        { type: c.type, severity: c.severity, start: incident.start, end: incident.end, peak: incident.peak },
      ]);
    },
  );

  it('the heat excursion uploaded as a late, shuffled batch after a coverage gap gives the same episode as live', async () => {
    const make = (startAt: number) => SCENARIOS.heatExcursion({ startAt });
    const at = startAt(make);
    const live = await playInParcel(make, oneExcursion(CONDITION_PRESETS.chocolate), { at });
    // Out of coverage from minute 20 (before the heat) to the end: the rest arrives as one shuffled batch.
    const late = await playInParcel(make, oneExcursion(CONDITION_PRESETS.chocolate), { at, coverageGapFrom: 20 * MIN });
    expect(late.exceptions.map(summary)).toEqual(live.exceptions.map(summary));
    expect(late.exceptions.map(summary)).toEqual([
      {
        type: 'too_hot',
        severity: 'warning',
        start: late.scenario.incident.start,
        end: late.scenario.incident.end,
        peak: 31,
      },
    ]);
  });
});

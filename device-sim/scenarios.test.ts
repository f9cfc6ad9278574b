import { describe, expect, it } from 'vitest';
import { protocolViolations } from './protocol-check.ts';
import { SCENARIOS, scenarioSpanMs, type Scenario } from './scenarios.ts';

const START = Date.parse('2026-07-14T13:00:00Z');
const MIN = 60_000;
const HOME = { lat: 34.1, lon: -118.33 };

const all = (): Scenario[] => [
  SCENARIOS.heatExcursion({ startAt: START }),
  SCENARIOS.coldExposure({ startAt: START }),
  SCENARIOS.stabilityBudget({ startAt: START }),
  SCENARIOS.humid({ startAt: START }),
  SCENARIOS.dry({ startAt: START }),
  SCENARIOS.drop({ startAt: START }),
  SCENARIOS.tipOver({ startAt: START }),
  SCENARIOS.openInTransit({ startAt: START }),
  SCENARIOS.openAtDestination({ startAt: START, destination: HOME }),
  SCENARIOS.batteryDrain({ startAt: START }),
  SCENARIOS.signalLoss({ startAt: START, firstSeq: 100 }),
];

describe('device-sim scenarios', () => {
  it('are valid protocol readings with a continuous seq, ascending ts, and the incident after the settling time', () => {
    for (const s of all()) {
      for (const r of s.readings) expect(protocolViolations(r, START), `${s.name} seq ${r.seq}`).toEqual([]);
      const seqs = s.readings.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      const ts = s.readings.map((r) => r.ts as number);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
      expect(s.incident.start, s.name).toBeGreaterThanOrEqual(START + 30 * MIN);
      expect(scenarioSpanMs(s)).toBeLessThan(4 * 3600_000);
    }
  });

  it('describes each incident by the readings that show it', () => {
    const heat = SCENARIOS.heatExcursion({ startAt: START, peakC: 31, durationMin: 25 });
    expect(heat.incident).toEqual({ measure: 'tempC', start: START + 30 * MIN, end: START + 55 * MIN, peak: 31 });
    expect(heat.readings.filter((r) => (r.tempC as number) > 28).map((r) => r.ts)).toHaveLength(5);

    const cold = SCENARIOS.coldExposure({ startAt: START });
    expect(cold.incident).toMatchObject({ start: START + 30 * MIN, end: START + 70 * MIN, peak: 0 });

    // Spells of 15 min above 28 °C from minute 30, every 30 min: 60 min are spent by the end
    // of the fourth spell, so the allowance is passed the moment the fifth begins (minute 150).
    const budget = SCENARIOS.stabilityBudget({ startAt: START, limitC: 28, budgetMin: 60, spellMin: 15 });
    expect(budget.incident).toEqual({ measure: 'msAboveC', start: START + 150 * MIN, end: null, peak: 75 * MIN });

    const drop = SCENARIOS.drop({ startAt: START, g: 12 });
    expect(drop.incident).toEqual({
      measure: 'shockG',
      start: START + 30 * MIN + 17_000,
      end: START + 30 * MIN + 17_000,
      peak: 12,
    });

    const battery = SCENARIOS.batteryDrain({ startAt: START });
    expect(battery.incident).toMatchObject({ start: START + 50 * MIN, end: null, peak: 14 });

    const silence = SCENARIOS.signalLoss({ startAt: START, silenceMin: 80 });
    expect(silence.incident).toEqual({
      measure: 'silenceMs',
      start: START + 30 * MIN,
      end: START + 110 * MIN,
      peak: 80 * MIN,
    });

    const home = SCENARIOS.openAtDestination({ startAt: START, destination: HOME });
    const opened = home.readings.find((r) => r.ts === home.incident.start)!;
    expect(opened).toMatchObject({ ...HOME });
    expect(
      home.readings
        .filter((r) => (r.ts as number) < START + 45 * MIN)
        .every((r) => (r.lat as number) > HOME.lat + 0.009),
    ).toBe(true);
  });
});

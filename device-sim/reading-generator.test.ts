import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type Thresholds } from './condition-model.ts';
import { protocolViolations } from './protocol-check.ts';
import type { SimReading } from './protocol.ts';
import { ReadingGenerator, withLocalOffset, type ReadingGeneratorOptions } from './reading-generator.ts';
import { planRoute } from './routes.ts';

const START = Date.parse('2026-07-14T13:00:00Z');
const INTERVAL_MS = 300_000;
const NO_ALARMS: Thresholds = { shockThresholdG: Infinity, lightThresholdLux: Infinity };

/** A whole trip, report interval by report interval, plus a day at the creator's. */
function trip(
  opts: Partial<ReadingGeneratorOptions> & { seed: number },
  thresholds = DEFAULT_THRESHOLDS,
): SimReading[] {
  const route = planRoute({ seed: opts.seed });
  const gen = new ReadingGenerator({ route, startAtMs: START, ...opts });
  const out: SimReading[] = [];
  let prev: number | undefined;
  for (let at = START; at <= START + (route.deliveredAtS + 86_400) * 1000; at += INTERVAL_MS) {
    out.push(...gen.readingsUpTo(prev, at, thresholds, true));
    prev = at;
  }
  return out;
}

const tsMs = (r: SimReading): number => (typeof r.ts === 'number' ? r.ts : Date.parse(r.ts));

describe('ReadingGenerator', () => {
  it('produces readings valid per the protocol table, in every ts format', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const readings = trip({ seed, tsFormat: 'mixed' });
      for (const r of readings) expect(protocolViolations(r, START + 30 * 86_400_000), JSON.stringify(r)).toEqual([]);
      const formats = new Set(
        readings.map((r) => (typeof r.ts === 'number' ? 'ms' : r.ts.endsWith('Z') ? 'Z' : 'offset')),
      );
      expect(formats).toEqual(new Set(['ms', 'Z', 'offset']));
    }
  });

  it('numbers readings +1 from firstSeq, in ts order', () => {
    const readings = trip({ seed: 5, firstSeq: 1000 });
    readings.forEach((r, i) => expect(r.seq).toBe(1000 + i));
    for (let i = 1; i < readings.length; i++) expect(tsMs(readings[i]!)).toBeGreaterThanOrEqual(tsMs(readings[i - 1]!));
  });

  it('is deterministic for a seed', () => {
    expect(trip({ seed: 9 })).toEqual(trip({ seed: 9 }));
    expect(trip({ seed: 9 })).not.toEqual(trip({ seed: 10 }));
  });

  it('models a cold-chain parcel: packed at 4 °C, drifting slowly, with light only when open', () => {
    const route = planRoute({ seed: 4 });
    const readings = trip({ seed: 4, profile: 'cold-chain' });
    expect(readings[0]!.tempC).toBeCloseTo(4, 0);
    const packingEnds = START + route.segments[0]!.durationS * 1000;
    const delivered = START + route.deliveredAtS * 1000;
    // Drift, not jumps: while closed, an insulated box changes by well under a degree in 5 minutes.
    const closed = readings.filter((r) => tsMs(r) <= delivered).map((r) => r.tempC!);
    for (let i = 1; i < closed.length; i++) expect(Math.abs(closed[i]! - closed[i - 1]!)).toBeLessThan(0.5);

    const lit = (r: SimReading) => (r.lightLux ?? 0) > 0;
    expect(readings.filter((r) => tsMs(r) < packingEnds).every(lit)).toBe(true);
    expect(readings.filter((r) => tsMs(r) > packingEnds && tsMs(r) <= delivered).some(lit)).toBe(false);
    // The profile opens the box within 6 h of delivery; the trip runs a day past it.
    expect(readings.filter((r) => tsMs(r) > delivered).some(lit)).toBe(true);
  });

  it('mostly reports road vibration, with occasional handling spikes', () => {
    const readings = [1, 2, 3].flatMap((seed) => trip({ seed }, NO_ALARMS));
    const shocks = readings.map((r) => r.shockG!);
    expect(shocks.filter((g) => g < 1).length / shocks.length).toBeGreaterThan(0.95);
    expect(Math.max(...shocks)).toBeGreaterThan(1);
  });

  it('drains the battery slowly and never recharges', () => {
    const readings = trip({ seed: 2 });
    for (let i = 1; i < readings.length; i++)
      expect(readings[i]!.batteryPct!).toBeLessThanOrEqual(readings[i - 1]!.batteryPct!);
    expect(readings[0]!.batteryPct! - readings.at(-1)!.batteryPct!).toBeLessThan(25);
  });

  it('adds an event reading at the moment of a shock over the threshold or the box opening', () => {
    const withAlarms = trip({ seed: 3 });
    const without = trip({ seed: 3 }, NO_ALARMS);
    expect(withAlarms.length).toBeGreaterThan(without.length);
    const offGrid = withAlarms.filter((r) => (tsMs(r) - START) % INTERVAL_MS !== 0);
    expect(offGrid.length).toBe(withAlarms.length - without.length);
    for (const r of offGrid) expect(r.shockG! >= DEFAULT_THRESHOLDS.shockThresholdG || r.lightLux! > 0).toBe(true);
  });

  it('runs a heat excursion at its peak for its duration, then recovers', () => {
    const gen = new ReadingGenerator({ seed: 1, route: planRoute({ seed: 1 }), startAtMs: START });
    const at = (min: number) => START + min * 60_000;
    gen.measure(at(0), true);
    gen.model.heatExcursion(at(60), 35, 40);
    const temps: Record<number, number> = {};
    for (let m = 5; m <= 180; m += 5) temps[m] = gen.measure(at(m), true).tempC!;
    expect(temps[55]).toBeLessThan(10);
    for (const m of [70, 80, 90, 100]) expect(temps[m]).toBeCloseTo(35, 0);
    expect(temps[120]).toBeLessThan(10);
  });

  it('writes local-offset RFC 3339 that denotes the same instant', () => {
    const ms = Date.parse('2026-11-23T10:05:00.000Z');
    expect(withLocalOffset(ms, -74)).toBe('2026-11-23T05:05:00.000-05:00');
    expect(Date.parse(withLocalOffset(ms, -118))).toBe(ms);
  });
});

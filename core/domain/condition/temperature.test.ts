import { describe, expect, it } from 'vitest';
import { CONDITION_PRESETS, resolveProfile } from './profile.ts';
import { at, brief, judgeEveryWay, MINUTE, reading, series } from './test-support.ts';

const chocolate = { ...CONDITION_PRESETS.chocolate, flapWindowMs: 0 }; // > 28 °C for 20 min, hysteresis 0.5, budget 60 min, MKT 25
const coldChain = { ...CONDITION_PRESETS['cold-chain'], flapWindowMs: 0 }; // 2–8 °C for 30 min, budget 120 min, MKT 8

describe('temperature excursions', () => {
  it('opens after minDuration out of range, ends at the first reading back below max − hysteresis', () => {
    const readings = series('tempC', [
      [0, 25],
      [10, 29], // first out of range: start
      [20, 30],
      [30, 31.5], // 20 min since start: confirmed; also the peak
      [40, 28.2], // inside the hysteresis band (27.5, 28]: still on
      [50, 27.4], // ≤ 27.5: end
      [60, 26],
      [70, 29], // 70→85 is only 15 min: not an excursion
      [80, 29.5],
      [85, 27],
    ]);
    const { episodes, budget } = judgeEveryWay(chocolate, readings);
    expect(episodes.map(brief)).toEqual([
      {
        type: 'too_hot',
        start: 10,
        end: 50,
        minutes: 40,
        peak: 31.5,
        endedBy: 'reading',
        startSeq: 1,
        evidence: [1, 3, 5],
      },
    ]);
    // Budget counts every held minute strictly above 28 °C, hysteresis and min duration aside: 10→50 and 70→85.
    expect(budget).toEqual({ usedMs: 55 * MINUTE, allowedMs: 60 * MINUTE, exceeded: false });
  });

  it('a value hovering ±0.1 °C around the limit makes exactly one episode', () => {
    // 28.1, 27.9, 28.1, … every 5 min for an hour; 27.9 is inside the band (27.5, 28], so nothing ends.
    const hovering = Array.from({ length: 13 }, (_, i) => [i * 5, i % 2 === 0 ? 28.1 : 27.9] as const);
    const readings = series('tempC', [...hovering, [65, 26]]);
    const { episodes } = judgeEveryWay(chocolate, readings);
    expect(episodes.map(brief)).toEqual([
      {
        type: 'too_hot',
        start: 0,
        end: 65,
        minutes: 65,
        peak: 28.1,
        endedBy: 'reading',
        startSeq: 0,
        evidence: [0, 4, 13],
      },
    ]);
    // Without hysteresis or minimum duration the same readings flap: one episode per 28.1 reading.
    const flapping = resolveProfile(chocolate, { temperature: { hysteresisC: 0, minDurationMs: 0 } });
    expect(judgeEveryWay(flapping, readings, { seeds: [1] }).episodes).toHaveLength(7);
  });

  it('judges the low side of a cold chain, and both sides in one trip', () => {
    const readings = series('tempC', [
      [0, 5],
      [10, 5],
      [20, 1.5], // below 2: start
      [30, 1.0],
      [40, 0.5], // lowest
      [50, 1.8], // 30 min: confirmed
      [60, 2.2], // band [2, 2.5): still on
      [70, 2.6], // end
      [80, 9], // too hot from here
      [90, 10],
      [100, 11],
      [110, 9], // confirmed (30 min)
      [120, 7], // ≤ 7.5: end
    ]);
    const { episodes, budget } = judgeEveryWay(coldChain, readings);
    expect(episodes.map(brief)).toEqual([
      {
        type: 'too_cold',
        start: 20,
        end: 70,
        minutes: 50,
        peak: 0.5,
        endedBy: 'reading',
        startSeq: 2,
        evidence: [2, 4, 5, 7],
      },
      {
        type: 'too_hot',
        start: 80,
        end: 120,
        minutes: 40,
        peak: 11,
        endedBy: 'reading',
        startSeq: 8,
        evidence: [8, 10, 11, 12],
      },
    ]);
    expect(budget).toEqual({ usedMs: 80 * MINUTE, allowedMs: 120 * MINUTE, exceeded: false });
  });

  it('reports an excursion that has not ended as ongoing, with the duration covered so far', () => {
    const readings = series('tempC', [
      [0, 25],
      [10, 30],
      [20, 30],
      [30, 31],
    ]);
    expect(judgeEveryWay(chocolate, readings).episodes.map(brief)).toEqual([
      { type: 'too_hot', start: 10, end: null, minutes: 20, peak: 31, endedBy: null, startSeq: 1, evidence: [1, 3] },
    ]);
    expect(judgeEveryWay(chocolate, readings.slice(0, 3)).episodes).toEqual([]);
  });

  it('exhausts the stability budget at the exact instant the allowance runs out', () => {
    // Three short hot spells (none lasts 20 min): 15 + 15 + 15 min held above 28 °C, then 30 more from minute 180.
    const readings = series('tempC', [
      [0, 29],
      [15, 25],
      [60, 29],
      [75, 25],
      [120, 29],
      [135, 25],
      [180, 29], // 45 min used before this spell; the budget (60) runs out 15 min in, at minute 195
      [190, 29.5],
      [200, 25],
    ]);
    const { episodes, budget } = judgeEveryWay(chocolate, readings);
    expect(budget).toEqual({ usedMs: 65 * MINUTE, allowedMs: 60 * MINUTE, exceeded: true });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'too_hot',
        start: 180,
        end: 200,
        minutes: 20,
        peak: 29.5,
        endedBy: 'reading',
        startSeq: 6,
        evidence: [6, 7, 8],
      },
      // Three hours covered, MKT over its 25 °C limit since minute 180 (peak = the highest MKT since).
      {
        type: 'mkt_exceeded',
        start: 180,
        end: null,
        minutes: 20,
        peak: expect.closeTo(26.92, 2),
        endedBy: null,
        startSeq: 6,
        evidence: [6, 8],
      },
      {
        type: 'budget_exceeded',
        start: 195,
        end: null,
        minutes: 5,
        peak: 65 * MINUTE,
        endedBy: null,
        startSeq: 7,
        evidence: [7],
      },
    ]);
  });

  it('ends an excursion when its readings stop: the last value holds for holdLimitMs (30 min), no longer', () => {
    const readings = series('tempC', [
      [0, 25],
      [10, 30],
      [20, 31],
      [30, 31],
      // no reading for 125 min: the 31 °C at 30 holds until 60, then the temperature is unknown
      [155, 31],
      [165, 31],
      [175, 27],
    ]);
    const { episodes } = judgeEveryWay(chocolate, readings);
    expect(episodes.map(brief)).toEqual([
      {
        type: 'too_hot',
        start: 10,
        end: 60,
        minutes: 50,
        peak: 31,
        endedBy: 'data_gap',
        startSeq: 1,
        evidence: [1, 2, 3],
      },
      {
        type: 'no_signal',
        start: 30,
        end: 155,
        minutes: 125,
        peak: 125 * MINUTE,
        endedBy: 'reading',
        startSeq: 3,
        evidence: [3, 4],
      },
      // confirmed by its end: 155→175 is exactly the 20 min minimum
      {
        type: 'too_hot',
        start: 155,
        end: 175,
        minutes: 20,
        peak: 31,
        endedBy: 'reading',
        startSeq: 4,
        evidence: [4, 6],
      },
      // 50 min held hot before the gap (not 125) + 20 after: the 60 min budget runs out at 165
      {
        type: 'budget_exceeded',
        start: 165,
        end: null,
        minutes: 10,
        peak: 70 * MINUTE,
        endedBy: null,
        startSeq: 5,
        evidence: [5],
      },
    ]);
  });

  it('does not judge readings in the ignore period after startedAt', () => {
    const readings = [
      reading(0, 0, { tempC: 35, lightLux: 500, shockG: 20 }), // packing: warm hands, open box, bumps
      reading(1, 5, { tempC: 35 }),
      reading(2, 14, { tempC: 34 }),
      reading(3, 15, { tempC: 26 }), // first judged reading (startedAt + 15 min)
      reading(4, 25, { tempC: 26 }),
    ];
    expect(judgeEveryWay(chocolate, readings, { context: { startedAt: at(0) } }).episodes).toEqual([]);
    // Without a start time the same readings are all judged.
    const judged = judgeEveryWay(chocolate, readings, { seeds: [1] }).episodes.map((e) => e.type);
    expect(judged).toEqual(['shock', 'opened_in_transit']);
  });
});

import { describe, expect, it } from 'vitest';
import type { Reading } from '../../protocol/tracker-protocol.ts';
import { CONDITION_PRESETS, ConditionProfileSchema } from './profile.ts';
import { at, brief, judgeEveryWay, reading, series } from './test-support.ts';
import type { Stage } from './types.ts';

const fragile = { ...CONDITION_PRESETS.fragile, flapWindowMs: 0 }; // shock > 8 g; tilt > 60° for 10 min, hysteresis 5°

describe('shock', () => {
  it('is instantaneous: one closed, zero-length episode per reading above the threshold', () => {
    const readings = series('shockG', [
      [0, 0.3],
      [5, 12], // a drop
      [6, 9.5], // a second impact, reported as its own reading
      [10, 8], // at the threshold, not above it
      [20, 0.2],
    ]);
    expect(judgeEveryWay(fragile, readings).episodes.map(brief)).toEqual([
      { type: 'shock', start: 5, end: 5, minutes: 0, peak: 12, endedBy: 'reading', startSeq: 1, evidence: [1] },
      { type: 'shock', start: 6, end: 6, minutes: 0, peak: 9.5, endedBy: 'reading', startSeq: 2, evidence: [2] },
    ]);
  });
});

describe('tilt', () => {
  it('counts once tilted beyond the limit for the allowed time, with hysteresis', () => {
    const readings = series('tiltDeg', [
      [0, 5],
      [10, 70], // start
      [15, 90], // peak
      [20, 58], // in the band (55, 60]: still tilted; 10 min: confirmed
      [25, 62],
      [30, 50], // ≤ 55: upright again
      [40, 80], // 40→45 is 5 min: allowed
      [45, 20],
    ]);
    expect(judgeEveryWay(fragile, readings).episodes.map(brief)).toEqual([
      {
        type: 'tilted',
        start: 10,
        end: 30,
        minutes: 20,
        peak: 90,
        endedBy: 'reading',
        startSeq: 1,
        evidence: [1, 2, 3, 5],
      },
    ]);
  });
});

describe('light (box opened)', () => {
  // Origin until minute 30, in transit until minute 120, then at the destination.
  const stageAt = (r: Reading): Stage => (r.ts < at(30) ? 'origin' : r.ts < at(120) ? 'in_transit' : 'destination');

  it('is expected at origin, a breach in transit, and delivery evidence at the destination', () => {
    const readings = series('lightLux', [
      [0, 300], // packing at origin: expected
      [5, 0],
      [60, 150], // opened in transit
      [62, 200],
      [65, 3], // ≤ 5 lux: closed again
      [118, 50], // opened in transit…
      [120, 400], // …and still open on arrival: the transit episode ends, the destination one starts
      [125, 0],
    ]);
    const { episodes } = judgeEveryWay(ConditionProfileSchema.parse({ flapWindowMs: 0 }), readings, {
      context: { stageAt },
    });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'opened_in_transit',
        start: 60,
        end: 65,
        minutes: 5,
        peak: 200,
        endedBy: 'reading',
        startSeq: 2,
        evidence: [2, 3, 4],
      },
      {
        type: 'opened_in_transit',
        start: 118,
        end: 120,
        minutes: 2,
        peak: 50,
        endedBy: 'reading',
        startSeq: 5,
        evidence: [5, 6],
      },
      {
        type: 'opened_at_destination',
        start: 120,
        end: 125,
        minutes: 5,
        peak: 400,
        endedBy: 'reading',
        startSeq: 6,
        evidence: [6, 7],
      },
    ]);
    expect(episodes.map((e) => [e.severity, e.stage])).toEqual([
      ['critical', 'in_transit'],
      ['critical', 'in_transit'],
      ['info', 'destination'],
    ]);
  });
});

describe('battery', () => {
  it('opens at the first reading below the threshold and stays open inside the hysteresis band', () => {
    const readings = series('batteryPct', [
      [0, 50],
      [10, 21],
      [20, 19.5], // below 20: start
      [30, 20.5], // band [20, 22): still low
      [40, 18],
      [50, 17],
    ]);
    expect(judgeEveryWay(ConditionProfileSchema.parse({ flapWindowMs: 0 }), readings).episodes.map(brief)).toEqual([
      {
        type: 'battery_low',
        start: 20,
        end: null,
        minutes: 30,
        peak: 17,
        endedBy: null,
        startSeq: 2,
        evidence: [2, 5],
      },
    ]);
  });
});

describe('humidity', () => {
  it('judges a humidity range with minimum duration and hysteresis', () => {
    const readings = series('humidityPct', [
      [0, 60],
      [15, 80], // above 75: start
      [30, 85], // peak
      [45, 82],
      [60, 76],
      [75, 74], // band (73, 75]: still humid; 60 min: confirmed
      [90, 72], // ≤ 73: end
    ]);
    expect(judgeEveryWay({ ...CONDITION_PRESETS.chocolate, flapWindowMs: 0 }, readings).episodes.map(brief)).toEqual([
      {
        type: 'too_humid',
        start: 15,
        end: 90,
        minutes: 75,
        peak: 85,
        endedBy: 'reading',
        startSeq: 1,
        evidence: [1, 2, 5, 6],
      },
    ]);
  });

  it('judges the dry side too', () => {
    const profile = ConditionProfileSchema.parse({ flapWindowMs: 0, humidity: { minPct: 20, minDurationMs: 0 } });
    const readings = series('humidityPct', [
      [0, 30],
      [10, 15],
      [20, 23],
    ]);
    expect(judgeEveryWay(profile, readings).episodes.map(brief)).toEqual([
      { type: 'too_dry', start: 10, end: 20, minutes: 10, peak: 15, endedBy: 'reading', startSeq: 1, evidence: [1, 2] },
    ]);
  });
});

describe('several rules on one reading', () => {
  it('lets every rule fire on the same reading', () => {
    const profile = ConditionProfileSchema.parse({
      flapWindowMs: 0,
      temperature: { maxC: 28 },
      humidity: { maxPct: 80 },
      shock: { thresholdG: 8 },
      tilt: { maxDeg: 60 },
    });
    const readings = [
      reading(0, 0, { tempC: 20, humidityPct: 50, shockG: 0.1, tiltDeg: 0, lightLux: 0, batteryPct: 60 }),
      // dropped, flung open, upside down, in the sun, and the battery knocked loose
      reading(1, 10, { tempC: 35, humidityPct: 90, shockG: 20, tiltDeg: 170, lightLux: 800, batteryPct: 5 }),
      reading(2, 20, { tempC: 36, humidityPct: 91, shockG: 0.2, tiltDeg: 170, lightLux: 900, batteryPct: 5 }),
    ];
    const { episodes } = judgeEveryWay(profile, readings);
    expect(episodes.map((e) => [e.type, e.startSeq, e.end === null ? 'ongoing' : 'closed'])).toEqual([
      ['too_hot', 1, 'ongoing'],
      ['too_humid', 1, 'ongoing'],
      ['shock', 1, 'closed'],
      ['tilted', 1, 'ongoing'],
      ['opened_in_transit', 1, 'ongoing'],
      ['battery_low', 1, 'ongoing'],
    ]);
  });
});

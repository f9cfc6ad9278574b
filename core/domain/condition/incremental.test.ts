import { describe, expect, it } from 'vitest';
import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { EpisodeChanges } from './episode-registry.ts';
import { evaluateTrip } from './evaluate.ts';
import { TripEvaluator } from './incremental.ts';
import { CONDITION_PRESETS, ConditionProfileSchema } from './profile.ts';
import { at, brief, judgeEveryWay, MINUTE, reading, seededRandom, series, withoutId } from './test-support.ts';

const chocolate = { ...CONDITION_PRESETS.chocolate, flapWindowMs: 0 }; // > 28 °C for 20 min, back at ≤ 27.5 °C

/** Which episodes each change list names, as [type, start minute, end minute]. */
const summarize = (changes: EpisodeChanges) =>
  Object.fromEntries(
    Object.entries(changes)
      .filter(([key]) => key !== 'tooLate' && key !== 'corrected')
      .map(([key, list]: [string, Parameters<typeof brief>[0][]]) => [
        key,
        list.map((e) => [e.type, brief(e).start, brief(e).end]),
      ]),
  );

const hotFrom10 = (...more: (readonly [number, number])[]) =>
  series('tempC', [[0, 25], [10, 30], [20, 30], [30, 31], ...more]);

describe('TripEvaluator, live', () => {
  it('reports an excursion opened once, updated while it grows, closed once', () => {
    const evaluator = new TripEvaluator(chocolate);
    const log = hotFrom10([40, 31], [50, 27]).map((r) => summarize(evaluator.add([r])));
    expect(log).toEqual([
      { opened: [], updated: [], closed: [], retracted: [] },
      { opened: [], updated: [], closed: [], retracted: [] }, // 30 °C at 10: not yet 20 min
      { opened: [], updated: [], closed: [], retracted: [] },
      { opened: [['too_hot', 10, null]], updated: [], closed: [], retracted: [] }, // 20 min reached at 30
      { opened: [], updated: [['too_hot', 10, null]], closed: [], retracted: [] },
      { opened: [], updated: [], closed: [['too_hot', 10, 50]], retracted: [] },
    ]);
  });

  it('reports an excursion that a single reading starts and ends (the whole of it arrived late) as opened and closed', () => {
    const evaluator = new TripEvaluator(chocolate);
    const changes = evaluator.add(hotFrom10([40, 27]));
    expect(summarize(changes)).toEqual({
      opened: [['too_hot', 10, 40]],
      updated: [],
      closed: [['too_hot', 10, 40]],
      retracted: [],
    });
  });

  it('ignores a reading it has already seen', () => {
    const evaluator = new TripEvaluator(chocolate);
    const readings = hotFrom10();
    evaluator.add(readings);
    expect(summarize(evaluator.add(readings))).toEqual({ opened: [], updated: [], closed: [], retracted: [] });
    expect(evaluator.stats().readings).toBe(4);
  });

  it('costs one engine step per live reading, and a late one replays only from the checkpoint before it', () => {
    const evaluator = new TripEvaluator(chocolate, {}, { checkpointEvery: 64 });
    const readings = Array.from({ length: 2000 }, (_, i) => reading(i, i * 5, { tempC: 20 + (i % 40) / 4 }));
    for (const r of readings) evaluator.add([r]);
    expect(evaluator.stats().steps).toBe(2000);
    // A reading measured between the 1990th and 1991st, arriving late.
    evaluator.add([reading(5000, 1990 * 5 + 2, { tempC: 20 })]);
    const replayed = evaluator.stats().steps - 2000;
    expect(replayed).toBeGreaterThan(10);
    expect(replayed).toBeLessThanOrEqual(64 + 11);
    expect(evaluator.episodes().map(withoutId)).toEqual(
      evaluateTrip([...readings, reading(5000, 1990 * 5 + 2, { tempC: 20 })], chocolate).episodes.map(withoutId),
    );
  });
});

describe('TripEvaluator, late readings correct earlier verdicts', () => {
  it('a late in-range reading splits an ongoing excursion: the first part closes, the second opens', () => {
    const evaluator = new TripEvaluator(chocolate);
    hotFrom10([40, 31], [50, 31], [60, 31]).forEach((r) => evaluator.add([r]));
    const [before] = evaluator.episodes();
    const changes = evaluator.add([reading(100, 35, { tempC: 26 })]);
    expect(summarize(changes)).toEqual({
      opened: [['too_hot', 40, null]],
      updated: [],
      closed: [['too_hot', 10, 35]],
      retracted: [],
    });
    expect(changes.closed[0]!.id).toBe(before!.id);
  });

  it('a late in-range reading that leaves no part long enough retracts the excursion', () => {
    const evaluator = new TripEvaluator(chocolate);
    hotFrom10().forEach((r) => evaluator.add([r]));
    const [before] = evaluator.episodes();
    const changes = evaluator.add([reading(100, 15, { tempC: 27 })]);
    expect(summarize(changes)).toEqual({ opened: [], updated: [], closed: [], retracted: [['too_hot', 10, null]] });
    expect(changes.retracted[0]!.id).toBe(before!.id);
    expect(evaluator.episodes()).toEqual([]);
  });

  it('a late out-of-range reading moves the start earlier and keeps the id', () => {
    const evaluator = new TripEvaluator(chocolate);
    series('tempC', [
      [0, 25],
      [10, 25],
      [20, 30],
      [30, 30],
      [40, 31],
    ]).forEach((r) => evaluator.add([r]));
    const [before] = evaluator.episodes();
    expect(brief(before!).start).toBe(20);
    const changes = evaluator.add([reading(100, 15, { tempC: 29 })]);
    expect(summarize(changes)).toEqual({ opened: [], updated: [['too_hot', 15, null]], closed: [], retracted: [] });
    expect(changes.updated[0]!.id).toBe(before!.id);
  });

  it('a late batch that fills a data gap extends the first excursion over the gap and retracts the second', () => {
    const evaluator = new TripEvaluator(chocolate);
    const beforeGap = hotFrom10();
    const afterGap = series(
      'tempC',
      [
        [150, 31],
        [160, 31],
        [170, 31],
        [180, 27],
      ],
      10,
    );
    [...beforeGap, ...afterGap].forEach((r) => evaluator.add([r]));
    const [first, second] = evaluator.episodes().filter((e) => e.type === 'too_hot');
    expect([brief(first!).end, brief(first!).endedBy, brief(second!).start]).toEqual([60, 'data_gap', 150]);

    const buffered = Array.from({ length: 11 }, (_, i) => reading(20 + i, 40 + i * 10, { tempC: 30 }));
    const changes = evaluator.add(buffered);
    expect(summarize(changes).updated).toContainEqual(['too_hot', 10, 180]);
    expect(changes.updated.find((e) => e.type === 'too_hot')!.id).toBe(first!.id);
    expect(summarize(changes).retracted).toContainEqual(['too_hot', 150, 180]);
    // (The MKT of this hot trip went over its limit once two hours were covered: that is new, not a change.)
    expect(changes.opened.filter((e) => e.type !== 'mkt_exceeded')).toEqual([]);
  });

  it('after a restart, known episodes keep their ids and are not reported again', () => {
    const readings = hotFrom10([40, 31], [50, 27], [60, 29], [70, 30], [80, 30]); // [10, 50] closed, [60, …) ongoing
    const first = new TripEvaluator(chocolate);
    first.add(readings);
    const known = first.episodes();
    const restarted = new TripEvaluator(chocolate, {}, { known });
    expect(summarize(restarted.tick(at(100)))).toEqual({ opened: [], updated: [], closed: [], retracted: [] });
    expect(summarize(restarted.add(readings))).toEqual({ opened: [], updated: [], closed: [], retracted: [] });
    expect(restarted.episodes()).toEqual(known);
    // A reading measured while the platform was down continues the ongoing excursion under its old id.
    const changes = restarted.add([reading(99, 90, { tempC: 31 })]);
    expect(changes.updated.map((e) => e.id)).toEqual([known.find((e) => e.end === null)!.id]);
  });
});

describe('TripEvaluator, retention', () => {
  it('keeps a bounded window and sets aside a reading older than it', () => {
    const day = 24 * 60;
    const evaluator = new TripEvaluator(chocolate, {}, { retainMs: day * MINUTE, checkpointEvery: 16 });
    for (let i = 0; i < (3 * day) / 10; i++) evaluator.add([reading(i, i * 10, { tempC: 20 })]);
    expect(evaluator.stats().readings).toBeLessThan((1.5 * day) / 10);
    const result = evaluator.add([reading(9001, 5, { tempC: 40 }), reading(9002, 3 * day - 15, { tempC: 20 })]);
    expect(result.tooLate).toEqual([9001]);
  });
});

describe('TripEvaluator agrees with evaluateTrip on random trips', () => {
  const profile = ConditionProfileSchema.parse({
    flapWindowMs: 0,
    holdLimitMs: 20 * MINUTE,
    temperature: {
      minC: 2,
      maxC: 8,
      minDurationMs: 15 * MINUTE,
      hysteresisC: 0.5,
      budgetMs: 60 * MINUTE,
      mkt: { limitC: 8 },
    },
    humidity: { maxPct: 70, minDurationMs: 10 * MINUTE },
    shock: { thresholdG: 6 },
    tilt: { maxDeg: 45, minDurationMs: 5 * MINUTE },
    noSignal: { timeoutMs: 45 * MINUTE },
  });

  function randomTrip(seed: number): Reading[] {
    const random = seededRandom(seed);
    let minute = 0;
    let temp = 5;
    return Array.from({ length: 120 }, (_, seq) => {
      minute += random() < 0.1 ? 30 + Math.floor(random() * 40) : 1 + Math.floor(random() * 10);
      temp += (random() - 0.5) * 3;
      return reading(seq, minute, {
        tempC: Math.round(temp * 10) / 10,
        humidityPct: Math.round(60 + random() * 20),
        shockG: random() < 0.05 ? 10 : 0.5,
        tiltDeg: random() < 0.2 ? 90 : 10,
        lightLux: random() < 0.05 ? 100 : 0,
        batteryPct: Math.max(0, 40 - seq / 3),
      });
    });
  }

  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`seed ${seed}: live and several late-batch orders give the reference episodes`, () => {
      const trip = randomTrip(seed);
      const { episodes } = judgeEveryWay(profile, trip, {
        context: { startedAt: at(-20), now: trip.at(-1)!.ts + 50 * MINUTE },
        seeds: [seed * 10, seed * 10 + 1, seed * 10 + 2],
      });
      expect(episodes.length).toBeGreaterThan(0);
    });
  }
});

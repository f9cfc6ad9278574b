import { describe, expect, it } from 'vitest';
import type { Reading } from '../../protocol/tracker-protocol.ts';
import { evaluateTrip } from './evaluate.ts';
import { TripEvaluator } from './incremental.ts';
import { CONDITION_PRESETS, ConditionProfileSchema } from './profile.ts';
import { at, brief, judgeEveryWay, MINUTE, reading, series } from './test-support.ts';
import type { Stage } from './types.ts';

/** Stage by a fake fix: lat 0 = origin, 1 = on the road, 2 = the creator's; no lat = no fix (null). */
const stageAt = (r: Reading): Stage | null =>
  r.lat === undefined ? null : (['origin', 'in_transit', 'destination'] as const)[r.lat]!;
const defaults = ConditionProfileSchema.parse({}); // light on; flap window 30 min
const types = (episodes: { type: string }[]) => episodes.map((e) => e.type);

describe('stages: a reading without a fix keeps the last known stage', () => {
  it('after arrival, fix-less readings with the box opened and shut are at the destination: one incident, never in transit', () => {
    const readings = [reading(0, 0, { lat: 0 }), reading(1, 20, { lat: 1 }), reading(2, 40, { lat: 2 })];
    for (let i = 0; i < 10; i++) readings.push(reading(3 + i, 42 + i * 3, { lightLux: i % 2 === 0 ? 300 : 0 }));
    const { episodes } = judgeEveryWay(defaults, readings, { context: { stageAt, initialStage: 'origin' } });
    expect(episodes.map((e) => [e.type, e.severity, e.repeatCount, e.stage])).toEqual([
      ['opened_at_destination', 'info', 5, 'destination'],
    ]);
  });

  it('before the first fix a trip with an origin is at the origin (packing light is expected); without one it is in transit', () => {
    const readings = [reading(0, 0), reading(1, 20, { lightLux: 200 }), reading(2, 25, { lightLux: 0 })];
    expect(judgeEveryWay(defaults, readings, { context: { stageAt, initialStage: 'origin' } }).episodes).toEqual([]);
    expect(types(judgeEveryWay(defaults, readings, { context: { stageAt } }).episodes)).toEqual(['opened_in_transit']);
  });

  it('after receipt every reading is at the destination, whatever its fix says', () => {
    const readings = [
      reading(0, 0, { lat: 1 }),
      reading(1, 20, { lat: 1, lightLux: 200 }),
      reading(2, 25, { lat: 1, lightLux: 0 }),
    ];
    expect(types(judgeEveryWay(defaults, readings, { context: { stageAt, receivedAt: at(20) } }).episodes)).toEqual([
      'opened_at_destination',
    ]);
  });
});

describe('incidents: one per problem', () => {
  const flapping = (cycles: number, everyMin: number) =>
    Array.from({ length: cycles * 2 }, (_, i) => reading(i, i * everyMin, { lightLux: i % 2 === 0 ? 400 : 0 }));

  it('a rule breaching again within the flap window extends the incident: repeat count, peak, last seen; it ends only after the window', () => {
    const readings = flapping(4, 5); // open 0–5, 10–15, 20–25, 30–35
    const open = judgeEveryWay(defaults, readings);
    expect(open.episodes.map(brief)).toEqual([
      {
        type: 'opened_in_transit',
        start: 0,
        end: null,
        minutes: 35,
        peak: 400,
        endedBy: null,
        startSeq: 0,
        evidence: [0, 1, 2, 3, 4, 5, 6, 7],
      },
    ]);
    expect(open.episodes[0]).toMatchObject({ repeatCount: 4, lastSeen: at(30) });
    // A reading past end + window (35 + 30) closes it, at the last excursion's end.
    const closed = judgeEveryWay(defaults, [...readings, reading(8, 66, { lightLux: 0 })]);
    expect(closed.episodes.map((e) => [e.type, (e.end! - at(0)) / MINUTE, e.endedBy, e.repeatCount])).toEqual([
      ['opened_in_transit', 35, 'reading', 4],
    ]);
  });

  it('a breach after the window is a new incident', () => {
    const readings = [
      reading(0, 0, { lightLux: 400 }),
      reading(1, 5, { lightLux: 0 }),
      reading(2, 40, { lightLux: 400 }),
      reading(3, 45, { lightLux: 0 }),
    ];
    const { episodes } = judgeEveryWay(defaults, readings);
    expect(episodes.map((e) => [brief(e).start, brief(e).end, e.repeatCount])).toEqual([
      [0, 5, 1],
      [40, null, 1],
    ]);
  });

  it('a run that began inside the window and is confirmed after it still extends the incident', () => {
    const choc = CONDITION_PRESETS.chocolate; // > 28 °C for 20 min, back at ≤ 27.5
    const readings = series('tempC', [
      [0, 20],
      [20, 30],
      [40, 30],
      [45, 25],
      [70, 29],
      [80, 29],
      [90, 29],
      [100, 25],
      [140, 25],
    ]);
    const { episodes } = judgeEveryWay({ ...choc, temperature: { ...choc.temperature!, mkt: undefined } }, readings);
    expect(
      episodes.filter((e) => e.type === 'too_hot').map((e) => [brief(e).start, brief(e).end, e.repeatCount, e.peak]),
    ).toEqual([[20, 100, 2, 30]]);
  });

  it('with no flap window every excursion is its own incident', () => {
    expect(judgeEveryWay({ ...defaults, flapWindowMs: 0 }, flapping(3, 5)).episodes.map((e) => e.repeatCount)).toEqual([
      1, 1, 1,
    ]);
  });
});

describe('the trip end', () => {
  it('readings after it are not judged; what is going on ends there; no silence is raised after it', () => {
    const readings = [
      reading(0, 0, { lightLux: 0 }),
      reading(1, 20, { lightLux: 400 }),
      reading(2, 40, { lightLux: 400 }),
      reading(3, 80, { lightLux: 0 }),
      reading(4, 90, { lightLux: 900, shockG: 50 }),
    ];
    const profile = {
      ...CONDITION_PRESETS.fragile,
      noSignal: { timeoutMs: 60 * MINUTE, severity: 'warning' as const },
    };
    const { episodes } = judgeEveryWay(profile, readings, { context: { endsAt: at(50), now: at(600) } });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'opened_in_transit',
        start: 20,
        end: 50,
        minutes: 30,
        peak: 400,
        endedBy: 'trip_end',
        startSeq: 1,
        evidence: [1, 2],
      },
    ]);
  });

  it('on the clock: once now passes the end, the incident closes even without another reading', () => {
    const readings = [reading(0, 0, { lightLux: 400 }), reading(1, 10, { lightLux: 400 })];
    const evaluator = new TripEvaluator(defaults, { endsAt: at(20) });
    expect(evaluator.add(readings, at(15)).opened).toHaveLength(1);
    const changes = evaluator.tick(at(21));
    expect(changes.closed.map((e) => [e.endedBy, (e.end! - at(0)) / MINUTE])).toEqual([['trip_end', 20]]);
    expect(evaluator.ended).toBe(true);
    // A reading from before the end that arrives afterwards is still judged (the engine rewinds).
    const late = evaluator.add([reading(2, 5, { lightLux: 0 })], at(22));
    // The box was shut at minute 5 and opened again at 10: the shown incident now holds two excursions.
    expect(late.corrected.map((c) => c.changed)).toEqual([{ repeatCount: { from: 1, to: 2 } }]);
    expect(evaluator.episodes().map((e) => [brief(e).start, brief(e).end, e.endedBy, e.repeatCount])).toEqual([
      [0, 20, 'trip_end', 2],
    ]);
  });
});

describe('MKT over its limit', () => {
  const choc = CONDITION_PRESETS.chocolate; // MKT limit 25 °C, at least 2 h covered

  it('raises mkt_exceeded once per trip, once two hours are covered, with the highest MKT since as its peak', () => {
    const readings = series(
      'tempC',
      Array.from({ length: 25 }, (_, i) => [i * 10, i < 20 ? 27 : 26] as const),
    );
    const { episodes, mkt } = judgeEveryWay(choc, readings);
    const raised = episodes.filter((e) => e.type === 'mkt_exceeded');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ severity: 'warning', limit: 25, end: null, start: at(120) });
    expect(raised[0]!.peak).toBeCloseTo(27, 6);
    expect(mkt!.valueC).toBeLessThan(raised[0]!.peak);
  });

  it('raises nothing before the minimum coverage, nor under the limit', () => {
    expect(
      types(
        evaluateTrip(
          series('tempC', [
            [0, 27],
            [60, 27],
            [110, 27],
          ]),
          choc,
        ).episodes,
      ),
    ).toEqual([]);
    expect(
      types(
        evaluateTrip(
          series(
            'tempC',
            Array.from({ length: 30 }, (_, i) => [i * 10, 24] as const),
          ),
          choc,
        ).episodes,
      ),
    ).toEqual([]);
  });
});

describe('corrections: what was shown is not silently rewritten', () => {
  it('a late reading that moves the start and the peak of a shown incident is a correction with the late event time', () => {
    const choc = {
      ...CONDITION_PRESETS.chocolate,
      temperature: { ...CONDITION_PRESETS.chocolate.temperature!, mkt: undefined },
    };
    const evaluator = new TripEvaluator(choc);
    evaluator.add(
      series('tempC', [
        [0, 20],
        [10, 30],
        [20, 30],
        [30, 30],
      ]),
    );
    const changes = evaluator.add([reading(9, 5, { tempC: 31 })]);
    expect(changes.corrected).toHaveLength(1);
    expect(changes.corrected[0]).toMatchObject({
      eventTime: at(5),
      changed: { start: { from: at(10), to: at(5) }, peak: { from: 30, to: 31 } },
    });
    expect(changes.updated.map((e) => e.id)).toEqual([changes.corrected[0]!.episode.id]);
  });

  it('a live reading that extends an incident is progress, not a correction', () => {
    const evaluator = new TripEvaluator(defaults);
    evaluator.add([reading(0, 0, { lightLux: 300 })]);
    const changes = evaluator.add([reading(1, 5, { lightLux: 900 })]);
    expect(changes.updated).toHaveLength(1);
    expect(changes.corrected).toEqual([]);
  });

  it('a retraction of a shown incident is a correction too', () => {
    const evaluator = new TripEvaluator(ConditionProfileSchema.parse({ noSignal: { timeoutMs: 60 * MINUTE } }), {
      startedAt: at(0),
    });
    evaluator.add([reading(0, 20)], at(20));
    expect(evaluator.tick(at(200)).opened.map((e) => e.type)).toEqual(['no_signal']);
    const filled = evaluator.add([reading(1, 60), reading(2, 100), reading(3, 140), reading(4, 180)], at(200));
    expect(filled.retracted.map((e) => e.type)).toEqual(['no_signal']);
    expect(filled.corrected.map((c) => [c.episode.type, c.changed])).toEqual([['no_signal', { retracted: true }]]);
  });
});

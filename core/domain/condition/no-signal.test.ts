import { describe, expect, it } from 'vitest';
import { evaluateTrip } from './evaluate.ts';
import { TripEvaluator } from './incremental.ts';
import { CONDITION_PRESETS } from './profile.ts';
import { at, brief, judgeEveryWay, MINUTE, reading } from './test-support.ts';

const coldChain = { ...CONDITION_PRESETS['cold-chain'], flapWindowMs: 0 }; // no signal after 60 min; ignore 15 min after start
const startedAt = at(0); // judging starts at minute 15
const readingsAt = (...minutes: number[]) => minutes.map((m, i) => reading(i, m, { tempC: 5 }));

describe('no signal', () => {
  it('is judged from the last reading to an explicit now: over the timeout, not at it', () => {
    const readings = readingsAt(20, 30, 40);
    expect(judgeEveryWay(coldChain, readings, { context: { startedAt, now: at(100) } }).episodes).toEqual([]);
    const { episodes } = judgeEveryWay(coldChain, readings, { context: { startedAt, now: at(101) } });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'no_signal',
        start: 40,
        end: null,
        minutes: 61,
        peak: 61 * MINUTE,
        endedBy: null,
        startSeq: 2,
        evidence: [2],
      },
    ]);
  });

  it('without now, only silences between readings are judged', () => {
    const { episodes } = judgeEveryWay(coldChain, readingsAt(20, 30, 100, 110), { context: { startedAt } });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'no_signal',
        start: 30,
        end: 100,
        minutes: 70,
        peak: 70 * MINUTE,
        endedBy: 'reading',
        startSeq: 1,
        evidence: [1, 2],
      },
    ]);
  });

  it('catches a tracker that never reported after it was started', () => {
    const { episodes } = evaluateTrip([], coldChain, { startedAt, now: at(80) });
    expect(episodes.map(brief)).toEqual([
      {
        type: 'no_signal',
        start: 15,
        end: null,
        minutes: 65,
        peak: 65 * MINUTE,
        endedBy: null,
        startSeq: null,
        evidence: [],
      },
    ]);
  });

  it('a live silence that a buffered upload fills was coverage, not missing data: it is retracted', () => {
    const evaluator = new TripEvaluator(coldChain, { startedAt });
    evaluator.add(readingsAt(20, 30, 40), at(40));
    const silence = evaluator.tick(at(110));
    expect(silence.opened.map(brief)).toEqual([
      {
        type: 'no_signal',
        start: 40,
        end: null,
        minutes: 70,
        peak: 70 * MINUTE,
        endedBy: null,
        startSeq: 2,
        evidence: [2],
      },
    ]);
    // Back in coverage: the tracker uploads what it measured meanwhile.
    const backfill = [50, 60, 70, 80, 90, 100, 110].map((m, i) => reading(3 + i, m, { tempC: 5 }));
    const changes = evaluator.add(backfill, at(111));
    expect(changes.retracted.map((e) => e.id)).toEqual([silence.opened[0]!.id]);
    expect([changes.opened, changes.updated, changes.closed]).toEqual([[], [], []]);
    expect(evaluator.episodes()).toEqual([]);
  });

  it('a real measurement gap closes the live silence with the same id', () => {
    const evaluator = new TripEvaluator(coldChain, { startedAt });
    evaluator.add(readingsAt(20, 30, 40), at(40));
    const [opened] = evaluator.tick(at(110)).opened;
    const changes = evaluator.add([reading(3, 130, { tempC: 5 })], at(131));
    expect(changes.closed.map((e) => [e.id, brief(e).start, brief(e).end])).toEqual([[opened!.id, 40, 130]]);
    expect(changes.opened).toEqual([]);
  });
});

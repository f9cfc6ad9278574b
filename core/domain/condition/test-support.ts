import { expect } from 'vitest';
import type { Reading } from '../../protocol/tracker-protocol.ts';
import { compareEpisodes } from './detector.ts';
import type { EpisodeChanges } from './episode-registry.ts';
import { evaluateTrip } from './evaluate.ts';
import { TripEvaluator } from './incremental.ts';
import type { ConditionProfile } from './profile.ts';
import type { EvaluationContext, Episode, TripEvaluation } from './types.ts';

/** Test helpers: readings on a minute grid, seeded shuffles, and the live-vs-batch harness. */

export const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
export const MINUTE = 60_000;
export const at = (minute: number) => T0 + minute * MINUTE;

type Fields = Omit<Reading, 'deviceId' | 'seq' | 'ts' | 'receivedAt'>;

export const reading = (seq: number, minute: number, fields: Fields = {}): Reading => ({
  deviceId: 'trk-000123',
  seq,
  ts: at(minute),
  receivedAt: at(minute),
  ...fields,
});

/** One reading per [minute, value] of `field`, seqs counting up from `firstSeq`. */
export function series(field: keyof Fields, points: readonly (readonly [number, number])[], firstSeq = 0): Reading[] {
  return points.map(([minute, value], i) => reading(firstSeq + i, minute, { [field]: value }));
}

/** mulberry32: small, seeded, good enough to shuffle test data reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The readings shuffled, some sent twice, cut into batches of 1..5 as a tracker back in coverage would. */
export function lateBatches(readings: readonly Reading[], seed: number): Reading[][] {
  const random = seededRandom(seed);
  const resent = readings.filter(() => random() < 0.2);
  const all = shuffled([...readings, ...resent], random);
  const batches: Reading[][] = [];
  for (let i = 0; i < all.length;) {
    const size = 1 + Math.floor(random() * 5);
    batches.push(all.slice(i, i + size));
    i += size;
  }
  return batches;
}

export type Brief = Pick<Episode, 'type' | 'peak' | 'endedBy' | 'startSeq' | 'evidence'> & {
  start: number;
  end: number | null;
  minutes: number;
};

/** An episode in minutes from T0, for readable exact assertions. */
export const brief = (e: Episode): Brief => ({
  type: e.type,
  start: (e.start - T0) / MINUTE,
  end: e.end === null ? null : (e.end - T0) / MINUTE,
  minutes: e.durationMs / MINUTE,
  peak: e.peak,
  endedBy: e.endedBy,
  startSeq: e.startSeq,
  evidence: e.evidence,
});

export const withoutId = ({ id: _id, ...rest }: Episode) => rest;

/**
 * Applies a change stream as the platform would and checks it never alerts twice: an id
 * is opened once, closed at most once per time it is open, and never touched once retracted.
 */
export class AlertLedger {
  readonly episodes = new Map<string, Episode>();
  readonly startNotices = new Map<string, number>();
  private readonly retracted = new Set<string>();

  apply(changes: EpisodeChanges): void {
    for (const e of changes.opened) {
      expect(this.startNotices.has(e.id), `opened twice: ${e.id}`).toBe(false);
      this.startNotices.set(e.id, 1);
      this.episodes.set(e.id, e);
    }
    for (const e of [...changes.updated, ...changes.closed]) {
      expect(this.retracted.has(e.id), `changed after retraction: ${e.id}`).toBe(false);
      expect(this.episodes.has(e.id), `changed before opening: ${e.id}`).toBe(true);
      this.episodes.set(e.id, e);
    }
    for (const e of changes.retracted) {
      expect(this.episodes.has(e.id), `retracted unknown: ${e.id}`).toBe(true);
      this.episodes.delete(e.id);
      this.retracted.add(e.id);
    }
  }
}

export interface HarnessOptions {
  context?: EvaluationContext;
  seeds?: readonly number[];
  checkpointEvery?: number;
}

/**
 * Judges the readings four ways (evaluateTrip; TripEvaluator live, one by one in event
 * time; TripEvaluator fed shuffled late batches with duplicates, one run per seed) and
 * asserts they all end with the same episodes and summary, and that every change stream
 * is a clean alert history. Returns the reference result for exact assertions.
 */
export function judgeEveryWay(
  profile: ConditionProfile,
  readings: readonly Reading[],
  options: HarnessOptions = {},
): TripEvaluation {
  const { context = {}, seeds = [1, 2, 3, 4, 5], checkpointEvery = 3 } = options;
  const { now, ...tripContext } = context;
  const reference = evaluateTrip(readings, profile, context);

  const runs: { name: string; batches: Reading[][] }[] = [
    { name: 'live', batches: [...readings].sort((a, b) => a.ts - b.ts || a.seq - b.seq).map((r) => [r]) },
    ...seeds.map((seed) => ({ name: `batches seed ${seed}`, batches: lateBatches(readings, seed) })),
  ];
  for (const run of runs) {
    const evaluator = new TripEvaluator(profile, tripContext, { checkpointEvery });
    const ledger = new AlertLedger();
    for (const batch of run.batches) ledger.apply(evaluator.add(batch));
    if (now !== undefined) ledger.apply(evaluator.tick(now));
    const final = evaluator.episodes();
    expect(final.map(withoutId), run.name).toEqual(reference.episodes.map(withoutId));
    expect([...ledger.episodes.values()].sort(compareEpisodes), `${run.name}: ledger`).toEqual(final);
    expect(evaluator.summary(), `${run.name}: summary`).toEqual({
      budget: reference.budget,
      ...(reference.mkt ? { mkt: reference.mkt } : {}),
    });
  }
  return reference;
}

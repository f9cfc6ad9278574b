import type { Reading } from '../../protocol/tracker-protocol.ts';
import { ConditionEngine, type EngineCheckpoint, type TripContext } from './engine.ts';
import { EpisodeRegistry, type EpisodeChanges } from './episode-registry.ts';
import type { ConditionProfile } from './profile.ts';
import { compareReadings, insertionIndex } from './reading-order.ts';
import type { Episode, TripSummary } from './types.ts';

const DAY = 24 * 60 * 60 * 1000;

export interface TripEvaluatorOptions {
  /** Engine state is saved every this many readings; a late reading replays from the nearest one before it. */
  checkpointEvery?: number;
  /**
   * Readings older than the newest one by more than this are folded into a base state and
   * dropped from memory. A reading that arrives older than that base cannot be judged here
   * and is returned in `tooLate`; re-run `evaluateTrip` from storage for it.
   */
  retainMs?: number;
  /**
   * Episodes already reported (persisted), so their ids survive a restart. Pass the trip's
   * stored readings to the first `add`: the changes it returns are relative to these.
   */
  known?: readonly Episode[];
}

export interface AddResult extends EpisodeChanges {
  /** seqs of new readings older than the retained window, not judged (see `retainMs`). */
  tooLate: number[];
}

interface Checkpoint {
  /** How many of the retained readings the engine had judged when it was taken. */
  processed: number;
  state: EngineCheckpoint;
}

/**
 * Judges one trip as its readings arrive, with the same result as `evaluateTrip` on the
 * same readings. A reading later in event time than all others is one engine step per
 * rule; a late one rewinds to the last checkpoint before it and replays the readings
 * after it. Episode ids are stable across re-evaluation (see EpisodeRegistry).
 */
export class TripEvaluator {
  private readonly engine: ConditionEngine;
  private readonly registry: EpisodeRegistry;
  private readonly checkpointEvery: number;
  private readonly retainMs: number;
  /** The retained readings, in event-time order. */
  private readings: Reading[] = [];
  private checkpoints: Checkpoint[];
  private readonly seenSeqs = new Set<number>();
  /** The newest reading folded into the base state and dropped; nothing before it can be judged. */
  private foldedUpTo: Reading | null = null;
  /** Whether `known` episodes still have to be compared against a full evaluation. */
  private fullReconcilePending: boolean;
  private now: number | undefined;
  private steps = 0;

  constructor(profile: ConditionProfile, context: TripContext = {}, options: TripEvaluatorOptions = {}) {
    this.engine = new ConditionEngine(profile, context);
    this.registry = new EpisodeRegistry(options.known);
    this.fullReconcilePending = (options.known?.length ?? 0) > 0;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 64);
    this.retainMs = options.retainMs ?? 7 * DAY;
    this.checkpoints = [{ processed: 0, state: this.engine.checkpoint() }];
  }

  /** Adds readings in any order, duplicates included; `now` is the caller's clock, for no-signal. */
  add(readings: readonly Reading[], now?: number): AddResult {
    if (now !== undefined) this.now = now;
    const { fresh, tooLate } = this.admit(readings);
    const newest = this.readings.at(-1);
    let changes: EpisodeChanges;
    // After the trip ended on the clock, a reading from before the end is late: the engine rewinds to judge it.
    const beforeEnd =
      this.engine.finished &&
      this.engine.endsAt !== undefined &&
      fresh.length > 0 &&
      fresh[0]!.ts <= this.engine.endsAt;
    if (fresh.length > 0 && newest && (compareReadings(fresh[0]!, newest) < 0 || beforeEnd)) {
      changes = this.insertLate(fresh);
    } else {
      changes = this.append(fresh);
    }
    this.foldOldReadings();
    return { ...changes, tooLate };
  }

  /** Re-judges what depends on the clock alone (no-signal) without new readings. */
  tick(now: number): EpisodeChanges {
    this.now = now;
    return this.append([]);
  }

  /** Every episode reported so far and not retracted, in report order. */
  episodes(): Episode[] {
    return this.registry.all();
  }

  summary(): TripSummary {
    return this.engine.summary();
  }

  /** Whether the trip has ended (its end passed on the clock or in event time): nothing more is judged. */
  get ended(): boolean {
    return this.engine.finished;
  }

  /** For monitoring: retained readings, saved checkpoints, and engine steps done in total (replays included). */
  stats(): { readings: number; checkpoints: number; steps: number } {
    return { readings: this.readings.length, checkpoints: this.checkpoints.length, steps: this.steps };
  }

  /** New readings in event-time order; duplicates dropped (first copy wins), too-old ones set aside. */
  private admit(readings: readonly Reading[]): { fresh: Reading[]; tooLate: number[] } {
    const fresh: Reading[] = [];
    const tooLate: number[] = [];
    for (const reading of readings) {
      if (this.seenSeqs.has(reading.seq)) continue;
      this.seenSeqs.add(reading.seq);
      if (this.foldedUpTo && compareReadings(reading, this.foldedUpTo) < 0) tooLate.push(reading.seq);
      else fresh.push(reading);
    }
    return { fresh: fresh.sort(compareReadings), tooLate };
  }

  /** Hot path: only ongoing episodes and the ones closed now can have changed. */
  private append(fresh: readonly Reading[]): EpisodeChanges {
    const closedBefore = this.engine.closed.length;
    for (const reading of fresh) {
      this.readings.push(reading);
      this.judge(this.readings.length - 1);
    }
    this.finishIfOver();
    if (this.fullReconcilePending) {
      // Known episodes are compared once the trip's readings are back, never against an empty trip.
      return this.readings.length > 0
        ? this.reconcileAll(null)
        : { opened: [], updated: [], closed: [], retracted: [], corrected: [] };
    }
    const next = [...this.engine.closed.slice(closedBefore), ...this.engine.ongoing(this.now)];
    return this.registry.reconcile(this.registry.ongoing(), next, { late: false, eventTime: fresh[0]?.ts ?? null });
  }

  /** Late path: rewind to the last checkpoint before the earliest new reading and replay from there. */
  private insertLate(fresh: readonly Reading[]): EpisodeChanges {
    const firstAffected = insertionIndex(this.readings, fresh[0]!);
    this.readings = mergeInEventOrder(this.readings, fresh);
    this.checkpoints = this.checkpoints.filter((c) => c.processed <= firstAffected);
    const resumeFrom = this.checkpoints.at(-1)!;
    this.engine.restore(resumeFrom.state);
    for (let index = resumeFrom.processed; index < this.readings.length; index++) this.judge(index);
    this.finishIfOver();
    return this.reconcileAll(fresh[0]!.ts);
  }

  /**
   * Compares every reported episode with a full re-evaluation. What changes here was
   * already shown to people and is changed by readings judged late: each such change is
   * also a correction (`lateFrom`: event time of the earliest late reading; null on a rebuild).
   */
  private reconcileAll(lateFrom: number | null): EpisodeChanges {
    this.fullReconcilePending = false;
    return this.registry.reconcile(this.registry.all(), [...this.engine.closed, ...this.engine.ongoing(this.now)], {
      late: true,
      eventTime: lateFrom,
    });
  }

  /** On the clock, the trip is over once now passes its end. */
  private finishIfOver(): void {
    const endsAt = this.engine.endsAt;
    if (this.now !== undefined && endsAt !== undefined && this.now >= endsAt) this.engine.finish();
  }

  /** One engine step for the retained reading at `index`, the next one in event time; saves a checkpoint when due. */
  private judge(index: number): void {
    this.engine.step(this.readings[index]!);
    this.steps++;
    const processed = index + 1;
    if (processed - this.checkpoints.at(-1)!.processed >= this.checkpointEvery) {
      this.checkpoints.push({ processed, state: this.engine.checkpoint() });
    }
  }

  /**
   * Drops readings that fell out of the retained window, keeping the checkpoint that
   * summarises them as the new base. It waits until a quarter of the retained readings
   * can go, so the copying stays O(1) per reading on average.
   */
  private foldOldReadings(): void {
    const newest = this.readings.at(-1);
    if (!newest || !Number.isFinite(this.retainMs)) return;
    const cutoff = newest.ts - this.retainMs;
    const isOutsideWindow = (c: Checkpoint) => this.readings[c.processed - 1]!.ts < cutoff;
    let baseIndex = 0;
    while (baseIndex + 1 < this.checkpoints.length && isOutsideWindow(this.checkpoints[baseIndex + 1]!)) baseIndex++;
    const base = this.checkpoints[baseIndex]!;
    if (base.processed === 0 || base.processed < this.readings.length / 4) return;
    this.foldedUpTo = this.readings[base.processed - 1]!;
    this.readings = this.readings.slice(base.processed);
    this.checkpoints = this.checkpoints
      .slice(baseIndex)
      .map((c) => ({ processed: c.processed - base.processed, state: c.state }));
  }
}

/** Merges two lists already in event-time order. */
function mergeInEventOrder(a: readonly Reading[], b: readonly Reading[]): Reading[] {
  const merged: Reading[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(compareReadings(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  return merged.concat(a.slice(i), b.slice(j));
}

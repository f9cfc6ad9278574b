import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Detector } from './detector.ts';
import type { ConditionProfile } from './profile.ts';
import { buildRules } from './rules.ts';
import type { MktAccumulator, TemperatureBudget } from './trip-accumulators.ts';
import type { EvaluationContext, Episode, Stage, TripSummary } from './types.ts';

/** Everything about a trip except the clock. */
export type TripContext = Omit<EvaluationContext, 'now'>;

/** Engine state at one point of the event-time fold; restoring it rewinds the engine there. */
export interface EngineCheckpoint {
  readonly closedCount: number;
  readonly restoreDetectors: readonly (() => void)[];
}

/**
 * The fold over a trip's readings in event-time order that both `evaluateTrip` and
 * `TripEvaluator` run, so the two cannot disagree. Closed episodes are final and only
 * appended; ongoing ones are derived from detector state on demand.
 */
export class ConditionEngine {
  private readonly detectors: readonly Detector[];
  private readonly budget: TemperatureBudget | null;
  private readonly mkt: MktAccumulator | null;
  private readonly judgingStartsAt: number | undefined;
  private readonly stageAt: (reading: Reading) => Stage;
  private readonly closedEpisodes: Episode[] = [];
  private readonly emit = (episode: Episode) => {
    this.closedEpisodes.push(episode);
  };

  constructor(profile: ConditionProfile, context: TripContext) {
    this.judgingStartsAt = context.startedAt === undefined ? undefined : context.startedAt + profile.ignoreAfterStartMs;
    this.stageAt = context.stageAt ?? (() => 'in_transit');
    ({ detectors: this.detectors, budget: this.budget, mkt: this.mkt } = buildRules(profile, this.judgingStartsAt));
  }

  /** Feeds the next reading in event-time order; readings in the ignore period are skipped. */
  step(reading: Reading): void {
    if (this.judgingStartsAt !== undefined && reading.ts < this.judgingStartsAt) return;
    const staged = { reading, stage: this.stageAt(reading) };
    for (const detector of this.detectors) detector.step(staged, this.emit);
  }

  /** Episodes that have ended, in the order they ended. */
  get closed(): readonly Episode[] {
    return this.closedEpisodes;
  }

  ongoing(now: number | undefined): Episode[] {
    return this.detectors.flatMap((d) => d.ongoing(now));
  }

  summary(): TripSummary {
    const mkt = this.mkt?.summary();
    const budget = this.budget?.summary() ?? { usedMs: 0, allowedMs: null, exceeded: false };
    return mkt ? { mkt, budget } : { budget };
  }

  checkpoint(): EngineCheckpoint {
    return { closedCount: this.closedEpisodes.length, restoreDetectors: this.detectors.map((d) => d.save()) };
  }

  restore(checkpoint: EngineCheckpoint): void {
    this.closedEpisodes.length = checkpoint.closedCount;
    for (const restore of checkpoint.restoreDetectors) restore();
  }
}

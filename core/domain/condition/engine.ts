import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Detector } from './detector.ts';
import { IncidentFolder } from './incidents.ts';
import type { ConditionProfile } from './profile.ts';
import { buildRules } from './rules.ts';
import type { MktAccumulator, TemperatureBudget } from './trip-accumulators.ts';
import type { EvaluationContext, Episode, Stage, TripSummary } from './types.ts';

/** Everything about a trip except the clock. */
export type TripContext = Omit<EvaluationContext, 'now'>;

/** Engine state at one point of the event-time fold; restoring it rewinds the engine there. */
export interface EngineCheckpoint {
  readonly closedCount: number;
  readonly stage: Stage;
  readonly finished: boolean;
  readonly restoreDetectors: readonly (() => void)[];
  readonly restoreIncidents: () => void;
}

/**
 * The fold over a trip's readings in event-time order that both `evaluateTrip` and
 * `TripEvaluator` run, so the two cannot disagree. Closed incidents are final and only
 * appended; ongoing ones are derived from detector and incident state on demand. The
 * stage is part of the fold: a reading without a fix keeps the last known stage.
 */
export class ConditionEngine {
  private readonly detectors: readonly Detector[];
  private readonly budget: TemperatureBudget | null;
  private readonly mkt: MktAccumulator | null;
  private readonly incidents: IncidentFolder;
  private readonly judgingStartsAt: number | undefined;
  private readonly stageAt: (reading: Reading) => Stage | null;
  private readonly receivedAt: number | undefined;
  readonly endsAt: number | undefined;
  private stage: Stage;
  private isFinished = false;
  private readonly closedEpisodes: Episode[] = [];
  private readonly emit = (episode: Episode) => {
    this.closedEpisodes.push(episode);
  };
  private readonly excursionClosed = (episode: Episode) => this.incidents.excursionClosed(episode, this.emit);

  constructor(profile: ConditionProfile, context: TripContext) {
    this.judgingStartsAt = context.startedAt === undefined ? undefined : context.startedAt + profile.ignoreAfterStartMs;
    this.stageAt = context.stageAt ?? (() => null);
    this.stage = context.initialStage ?? 'in_transit';
    this.receivedAt = context.receivedAt;
    this.endsAt = context.endsAt;
    this.incidents = new IncidentFolder(profile.flapWindowMs);
    ({ detectors: this.detectors, budget: this.budget, mkt: this.mkt } = buildRules(profile, this.judgingStartsAt));
  }

  /** Whether the trip has ended: nothing more is judged. */
  get finished(): boolean {
    return this.isFinished;
  }

  /**
   * Feeds the next reading in event-time order. Readings in the ignore period only tell
   * the stage; a reading after the trip end is not judged, but proves the end has passed.
   */
  step(reading: Reading): void {
    if (this.isFinished) return;
    if (this.endsAt !== undefined && reading.ts > this.endsAt) return this.finish();
    this.stage = this.stageOf(reading);
    if (this.judgingStartsAt !== undefined && reading.ts < this.judgingStartsAt) return;
    this.incidents.advance(reading.ts, this.detectors, this.emit);
    const staged = { reading, stage: this.stage };
    for (const detector of this.detectors) detector.step(staged, this.excursionClosed);
  }

  /** The trip ended (its end passed in event time, or on the clock): what is going on ends at `endsAt`. */
  finish(): void {
    if (this.isFinished || this.endsAt === undefined) return;
    this.isFinished = true;
    for (const detector of this.detectors) detector.finish(this.endsAt, this.excursionClosed);
    this.incidents.finish(this.emit);
  }

  /** Incidents that have ended, in the order they ended. */
  get closed(): readonly Episode[] {
    return this.closedEpisodes;
  }

  ongoing(now: number | undefined): Episode[] {
    if (this.isFinished) return [];
    return this.incidents.ongoing(this.detectors.flatMap((d) => d.ongoing(now)));
  }

  summary(): TripSummary {
    const mkt = this.mkt?.summary();
    const budget = this.budget?.summary() ?? { usedMs: 0, allowedMs: null, exceeded: false };
    return mkt ? { mkt, budget } : { budget };
  }

  checkpoint(): EngineCheckpoint {
    return {
      closedCount: this.closedEpisodes.length,
      stage: this.stage,
      finished: this.isFinished,
      restoreDetectors: this.detectors.map((d) => d.save()),
      restoreIncidents: this.incidents.save(),
    };
  }

  restore(checkpoint: EngineCheckpoint): void {
    this.closedEpisodes.length = checkpoint.closedCount;
    this.stage = checkpoint.stage;
    this.isFinished = checkpoint.finished;
    for (const restore of checkpoint.restoreDetectors) restore();
    checkpoint.restoreIncidents();
  }

  /**
   * After receipt every reading is at the destination; otherwise a fix decides, and a
   * reading without one keeps the last known stage rather than inventing one.
   */
  private stageOf(reading: Reading): Stage {
    if (this.receivedAt !== undefined && reading.ts >= this.receivedAt) return 'destination';
    return this.stageAt(reading) ?? this.stage;
  }
}

import type { Reading } from '../../protocol/tracker-protocol.ts';
import {
  evidenceSeqs,
  pointOf,
  StatefulDetector,
  withNaturalId,
  type EmitEpisode,
  type ReadingPoint,
} from './detector.ts';
import type { EndedBy, Episode, EpisodeType, RuleName, Severity, Stage, StagedReading } from './types.ts';

/** The kind of episode a run becomes. */
export interface RunKind {
  type: EpisodeType;
  severity: Severity;
}

/** A limit on one field, with a minimum duration and hysteresis (temperature, humidity, tilt, light, battery). */
export interface RunRule {
  rule: RuleName;
  /** The field this rule judges; readings without it are not part of its series. */
  value: (reading: Reading) => number | undefined;
  /** `above`: out of range when value > limit. `below`: when value < limit. */
  direction: 'above' | 'below';
  limit: number;
  /** Back in range only at limit − hysteresis (above) or limit + hysteresis (below). */
  hysteresis: number;
  minDurationMs: number;
  holdLimitMs: number;
  /**
   * What a run on this reading would be; null where no run may start (light at origin).
   * A run ends when the kind changes (light in transit, then at destination).
   */
  kindAt: (staged: StagedReading) => RunKind | null;
}

/** A stretch of readings out of range that has not ended yet; an episode once it lasts minDurationMs. */
interface Run {
  kind: RunKind;
  stage: Stage;
  start: ReadingPoint;
  /** Latest reading still inside the run. */
  last: ReadingPoint;
  peak: number;
  peakAt: ReadingPoint;
  /** First reading at which the run had lasted minDurationMs. */
  confirmedAt: ReadingPoint | null;
}

/**
 * Sample and hold: a reading's value holds from its ts until the next reading of the same
 * field, or for at most holdLimitMs. A run starts at the first out-of-range reading, ends at
 * the first reading back in range past the hysteresis (or when the held value expires in a
 * gap) and is reported only if it lasted at least minDurationMs.
 */
export class RunDetector extends StatefulDetector<{ run: Run | null }> {
  constructor(private readonly rule: RunRule) {
    super({ run: null });
  }

  step(staged: StagedReading, emit: EmitEpisode): void {
    const value = this.rule.value(staged.reading);
    if (value === undefined) return;
    const at = pointOf(staged);
    let run = this.state.run;

    if (run && at.ts - run.last.ts > this.rule.holdLimitMs) {
      this.end(run, run.last.ts + this.rule.holdLimitMs, 'data_gap', run.last, emit);
      run = null;
    }
    const kind = this.rule.kindAt(staged);
    if (run) {
      if (this.isBackInRange(value) || kind?.type !== run.kind.type) {
        this.end(run, at.ts, 'reading', at, emit);
        run = null;
      } else {
        this.extend(run, value, at);
      }
    }
    if (!run && kind && this.isOutOfRange(value)) {
      run = {
        kind,
        stage: staged.stage,
        start: at,
        last: at,
        peak: value,
        peakAt: at,
        confirmedAt: this.rule.minDurationMs === 0 ? at : null,
      };
    }
    this.state.run = run;
  }

  /** At the trip end a run ends there, unless its last held value had already expired (a gap). */
  finish(endsAt: number, emit: EmitEpisode): void {
    const run = this.state.run;
    this.state.run = null;
    if (!run) return;
    if (endsAt - run.last.ts > this.rule.holdLimitMs)
      this.end(run, run.last.ts + this.rule.holdLimitMs, 'data_gap', run.last, emit);
    else this.end(run, endsAt, 'trip_end', run.last, emit);
  }

  override activeRun(): { type: EpisodeType; start: number } | null {
    const run = this.state.run;
    return run ? { type: run.kind.type, start: run.start.ts } : null;
  }

  ongoing(): Episode[] {
    const run = this.state.run;
    if (!run?.confirmedAt) return [];
    return [this.episode(run, null, null, [run.start, run.confirmedAt, run.peakAt])];
  }

  private extend(run: Run, value: number, at: ReadingPoint): void {
    run.last = at;
    if (this.isBeyond(value, run.peak)) {
      run.peak = value;
      run.peakAt = at;
    }
    if (!run.confirmedAt && at.ts - run.start.ts >= this.rule.minDurationMs) run.confirmedAt = at;
  }

  /** Emits the run if it lasted long enough; a shorter one was never an episode. */
  private end(run: Run, endTs: number, endedBy: EndedBy, endPoint: ReadingPoint, emit: EmitEpisode): void {
    if (endTs - run.start.ts < this.rule.minDurationMs) return;
    // When the run is confirmed only by its end (the last held value reached minDuration), the end reading proves it.
    emit(this.episode(run, endTs, endedBy, [run.start, run.confirmedAt, run.peakAt, endPoint]));
  }

  private episode(run: Run, end: number | null, endedBy: EndedBy | null, evidence: (ReadingPoint | null)[]): Episode {
    return withNaturalId({
      rule: this.rule.rule,
      type: run.kind.type,
      severity: run.kind.severity,
      start: run.start.ts,
      end,
      endedBy,
      peak: run.peak,
      limit: this.rule.limit,
      durationMs: (end ?? run.last.ts) - run.start.ts,
      startSeq: run.start.seq,
      evidence: evidenceSeqs(evidence),
      stage: run.stage,
      lastSeen: run.last.ts,
    });
  }

  private isOutOfRange(value: number): boolean {
    return this.rule.direction === 'above' ? value > this.rule.limit : value < this.rule.limit;
  }

  private isBackInRange(value: number): boolean {
    const { direction, limit, hysteresis } = this.rule;
    return direction === 'above' ? value <= limit - hysteresis : value >= limit + hysteresis;
  }

  private isBeyond(value: number, peak: number): boolean {
    return this.rule.direction === 'above' ? value > peak : value < peak;
  }
}

import { evidenceSeqs, pointOf, StatefulDetector, withNaturalId, type EmitEpisode } from './detector.ts';
import type { EndedBy, Episode, Severity, Stage, StagedReading } from './types.ts';

/**
 * Shock is instantaneous: a reading's shockG is already the peak since the previous
 * reading, so each reading above the threshold is one episode that starts and ends at
 * its ts (durationMs 0), closed at once.
 */
export class ShockDetector extends StatefulDetector<Record<string, never>> {
  constructor(
    private readonly thresholdG: number,
    private readonly severity: Severity,
  ) {
    super({});
  }

  step(staged: StagedReading, emit: EmitEpisode): void {
    const { shockG, ts, seq } = staged.reading;
    if (shockG === undefined || shockG <= this.thresholdG) return;
    emit(
      withNaturalId({
        rule: 'shock',
        type: 'shock',
        severity: this.severity,
        start: ts,
        end: ts,
        endedBy: 'reading',
        peak: shockG,
        limit: this.thresholdG,
        durationMs: 0,
        startSeq: seq,
        evidence: [seq],
        stage: staged.stage,
        lastSeen: ts,
      }),
    );
  }

  ongoing(): Episode[] {
    return [];
  }

  finish(): void {}
}

/** The last moment the tracker was known to be alive: a judged reading, or the start of judging. */
interface SignalPoint {
  ts: number;
  seq: number | null;
  stage: Stage | null;
}

/**
 * No signal = a silence in event time longer than the timeout: between two consecutive
 * judged readings, or from the last one to `now`. The start of judging (startedAt + ignore)
 * counts as a point, so a tracker that never reports is caught too. A silence that a
 * buffered upload later fills was a coverage gap, not missing data: it disappears.
 */
export class SilenceDetector extends StatefulDetector<{ last: SignalPoint | null }> {
  constructor(
    private readonly timeoutMs: number,
    private readonly severity: Severity,
    judgingStartsAt: number | undefined,
  ) {
    super({ last: judgingStartsAt === undefined ? null : { ts: judgingStartsAt, seq: null, stage: null } });
  }

  step(staged: StagedReading, emit: EmitEpisode): void {
    const last = this.state.last;
    const at = pointOf(staged);
    if (last && at.ts - last.ts > this.timeoutMs) emit(this.episode(last, at.ts, at.seq));
    this.state.last = { ...at, stage: staged.stage };
  }

  ongoing(now: number | undefined): Episode[] {
    const last = this.state.last;
    if (now === undefined || !last || now - last.ts <= this.timeoutMs) return [];
    return [this.episode(last, null, null, now)];
  }

  /** A silence still going on at the trip end ends there; none starts after it. */
  finish(endsAt: number, emit: EmitEpisode): void {
    const last = this.state.last;
    this.state.last = null;
    if (last && endsAt - last.ts > this.timeoutMs) emit(this.episode(last, endsAt, null, undefined, 'trip_end'));
  }

  private episode(
    from: SignalPoint,
    end: number | null,
    endSeq: number | null,
    now?: number,
    endedBy: EndedBy = 'reading',
  ): Episode {
    const durationMs = (end ?? now ?? from.ts) - from.ts;
    return withNaturalId({
      rule: 'no_signal',
      type: 'no_signal',
      severity: this.severity,
      start: from.ts,
      end,
      endedBy: end === null ? null : endedBy,
      peak: durationMs,
      limit: this.timeoutMs,
      durationMs,
      startSeq: from.seq,
      evidence: evidenceSeqs([
        from.seq === null ? null : { ts: from.ts, seq: from.seq },
        endSeq === null || end === null ? null : { ts: end, seq: endSeq },
      ]),
      stage: from.stage,
      lastSeen: end ?? now ?? from.ts,
    });
  }
}

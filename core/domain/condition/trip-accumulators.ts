import { StatefulDetector, withNaturalId, type EmitEpisode } from './detector.ts';
import { arrheniusFactor, mktFromSums } from './mkt.ts';
import type { BudgetSummary, Episode, MktSummary, Severity, Stage, StagedReading } from './types.ts';

/**
 * Trip-wide temperature figures. Both use the same sample-and-hold as the episodes: a
 * temperature reading represents the time until the next temperature reading, at most
 * holdLimitMs; time beyond that in a gap is unknown and counts for nothing.
 */

interface HeldTemperature {
  ts: number;
  seq: number;
  tempC: number;
  stage: Stage;
}

/** Held time a reading represents, now that the next reading of its series is known. */
const heldMs = (from: number, to: number, holdLimitMs: number) => Math.min(to - from, holdLimitMs);

interface BudgetState {
  previous: HeldTemperature | null;
  usedMs: number;
  /** The instant the used time first went past the allowance, and the reading held then. */
  exceeded: { at: number; seq: number; stage: Stage } | null;
}

export interface BudgetRule {
  minC: number | undefined;
  maxC: number | undefined;
  allowedMs: number | undefined;
  holdLimitMs: number;
}

/**
 * Stability budget: cumulative held time strictly outside [minC, maxC], with no minimum
 * duration and no hysteresis, because the product degrades during every minute out of
 * range. Once spent it stays spent: the `budget_exceeded` episode never ends.
 */
export class TemperatureBudget extends StatefulDetector<BudgetState> {
  constructor(private readonly rule: BudgetRule) {
    super({ previous: null, usedMs: 0, exceeded: null });
  }

  step(staged: StagedReading): void {
    const { tempC, ts, seq } = staged.reading;
    if (tempC === undefined) return;
    const previous = this.state.previous;
    if (previous && this.isOutOfRange(previous.tempC)) {
      const before = this.state.usedMs;
      this.state.usedMs += heldMs(previous.ts, ts, this.rule.holdLimitMs);
      const allowed = this.rule.allowedMs;
      if (allowed !== undefined && !this.state.exceeded && this.state.usedMs > allowed) {
        this.state.exceeded = { at: previous.ts + (allowed - before), seq: previous.seq, stage: previous.stage };
      }
    }
    this.state.previous = { ts, seq, tempC, stage: staged.stage };
  }

  ongoing(): Episode[] {
    return this.episodes(null);
  }

  /** A spent budget never ends by itself: the trip end closes it. */
  finish(endsAt: number, emit: EmitEpisode): void {
    for (const e of this.episodes(endsAt)) emit(e);
    this.state.exceeded = null;
  }

  private episodes(end: number | null): Episode[] {
    const { exceeded, usedMs } = this.state;
    const allowed = this.rule.allowedMs;
    if (!exceeded || allowed === undefined) return [];
    return [
      withNaturalId({
        rule: 'temperature',
        type: 'budget_exceeded',
        severity: 'critical',
        start: exceeded.at,
        end,
        endedBy: end === null ? null : 'trip_end',
        peak: usedMs,
        limit: allowed,
        durationMs: usedMs - allowed,
        startSeq: exceeded.seq,
        evidence: [exceeded.seq],
        stage: exceeded.stage,
        lastSeen: this.state.previous?.ts ?? exceeded.at,
      }),
    ];
  }

  summary(): BudgetSummary {
    const allowedMs = this.rule.allowedMs ?? null;
    return { usedMs: this.state.usedMs, allowedMs, exceeded: allowedMs !== null && this.state.usedMs > allowedMs };
  }

  private isOutOfRange(tempC: number): boolean {
    const { minC, maxC } = this.rule;
    return (maxC !== undefined && tempC > maxC) || (minC !== undefined && tempC < minC);
  }
}

interface MktState {
  previous: { ts: number; seq: number; tempC: number; stage: Stage } | null;
  weightedFactorSum: number;
  weightSum: number;
  /** When the covered MKT first went over the limit, and the highest covered MKT since. */
  exceeded: { at: number; seq: number; stage: Stage; peak: number; peakSeq: number } | null;
}

export interface MktRule {
  activationEnergyKJPerMol: number;
  /** No exception without a limit; the figure is still computed. */
  limitC: number | undefined;
  /** MKT over fewer held milliseconds than this is too noisy to raise an exception on. */
  minCoverageMs: number;
  severity: Severity;
  holdLimitMs: number;
}

/**
 * Running MKT over the judged trip, each reading weighted by its held time (see mkt.ts),
 * and the `mkt_exceeded` episode: once the MKT covers at least `minCoverageMs` and is over
 * the limit, once per trip. Like a spent budget it stays (the thermal dose was taken): peak
 * = the highest MKT since, limit = the profile's, durationMs = time since it first went over.
 */
export class MktAccumulator extends StatefulDetector<MktState> {
  constructor(private readonly rule: MktRule) {
    super({ previous: null, weightedFactorSum: 0, weightSum: 0, exceeded: null });
  }

  step(staged: StagedReading): void {
    const { tempC, ts, seq } = staged.reading;
    if (tempC === undefined) return;
    const previous = this.state.previous;
    if (previous) {
      const weight = heldMs(previous.ts, ts, this.rule.holdLimitMs);
      this.state.weightedFactorSum += weight * arrheniusFactor(previous.tempC, this.rule.activationEnergyKJPerMol);
      this.state.weightSum += weight;
      this.judge(ts, seq, staged.stage);
    }
    this.state.previous = { ts, seq, tempC, stage: staged.stage };
  }

  ongoing(): Episode[] {
    return this.episodes(null);
  }

  finish(endsAt: number, emit: EmitEpisode): void {
    for (const e of this.episodes(endsAt)) emit(e);
    this.state.exceeded = null;
  }

  summary(): MktSummary | undefined {
    const valueC = this.valueC();
    if (valueC === undefined) return undefined;
    const limitC = this.rule.limitC ?? null;
    return { valueC, limitC, exceeded: limitC !== null && valueC > limitC };
  }

  private valueC(): number | undefined {
    return mktFromSums(this.state.weightedFactorSum, this.state.weightSum, this.rule.activationEnergyKJPerMol);
  }

  private judge(ts: number, seq: number, stage: Stage): void {
    const { limitC, minCoverageMs } = this.rule;
    if (limitC === undefined || this.state.weightSum < minCoverageMs) return;
    const valueC = this.valueC()!;
    const exceeded = this.state.exceeded;
    if (!exceeded) {
      if (valueC > limitC) this.state.exceeded = { at: ts, seq, stage, peak: valueC, peakSeq: seq };
    } else if (valueC > exceeded.peak) {
      exceeded.peak = valueC;
      exceeded.peakSeq = seq;
    }
  }

  private episodes(end: number | null): Episode[] {
    const exceeded = this.state.exceeded;
    if (!exceeded || this.rule.limitC === undefined) return [];
    const lastSeen = this.state.previous?.ts ?? exceeded.at;
    return [
      withNaturalId({
        rule: 'temperature',
        type: 'mkt_exceeded',
        severity: this.rule.severity,
        start: exceeded.at,
        end,
        endedBy: end === null ? null : 'trip_end',
        peak: exceeded.peak,
        limit: this.rule.limitC,
        durationMs: (end ?? lastSeen) - exceeded.at,
        startSeq: exceeded.seq,
        evidence: exceeded.peakSeq === exceeded.seq ? [exceeded.seq] : [exceeded.seq, exceeded.peakSeq],
        stage: exceeded.stage,
        lastSeen,
      }),
    ];
  }
}

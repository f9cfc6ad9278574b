import { StatefulDetector, withNaturalId } from './detector.ts';
import { arrheniusFactor, mktFromSums } from './mkt.ts';
import type { BudgetSummary, Episode, MktSummary, Stage, StagedReading } from './types.ts';

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
    const { exceeded, usedMs } = this.state;
    const allowed = this.rule.allowedMs;
    if (!exceeded || allowed === undefined) return [];
    return [
      withNaturalId({
        rule: 'temperature',
        type: 'budget_exceeded',
        severity: 'critical',
        start: exceeded.at,
        end: null,
        endedBy: null,
        peak: usedMs,
        limit: allowed,
        durationMs: usedMs - allowed,
        startSeq: exceeded.seq,
        evidence: [exceeded.seq],
        stage: exceeded.stage,
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
  previous: { ts: number; tempC: number } | null;
  weightedFactorSum: number;
  weightSum: number;
}

/** Running MKT over the judged trip, each reading weighted by its held time (see mkt.ts). */
export class MktAccumulator extends StatefulDetector<MktState> {
  constructor(
    private readonly activationEnergyKJPerMol: number,
    private readonly limitC: number | undefined,
    private readonly holdLimitMs: number,
  ) {
    super({ previous: null, weightedFactorSum: 0, weightSum: 0 });
  }

  step(staged: StagedReading): void {
    const { tempC, ts } = staged.reading;
    if (tempC === undefined) return;
    const previous = this.state.previous;
    if (previous) {
      const weight = heldMs(previous.ts, ts, this.holdLimitMs);
      this.state.weightedFactorSum += weight * arrheniusFactor(previous.tempC, this.activationEnergyKJPerMol);
      this.state.weightSum += weight;
    }
    this.state.previous = { ts, tempC };
  }

  ongoing(): Episode[] {
    return [];
  }

  summary(): MktSummary | undefined {
    const valueC = mktFromSums(this.state.weightedFactorSum, this.state.weightSum, this.activationEnergyKJPerMol);
    if (valueC === undefined) return undefined;
    const limitC = this.limitC ?? null;
    return { valueC, limitC, exceeded: limitC !== null && valueC > limitC };
  }
}

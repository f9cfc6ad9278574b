import type { Reading } from '../../protocol/tracker-protocol.ts';

/** Where the parcel was when a reading was measured. Decided by the caller (geofences, carrier events). */
export type Stage = 'origin' | 'in_transit' | 'destination';

export type Severity = 'info' | 'warning' | 'critical';

/** A rule is one section of a condition profile. */
export type RuleName = 'temperature' | 'humidity' | 'shock' | 'tilt' | 'light' | 'battery' | 'no_signal';

/** What kind of episode a rule found. Each type belongs to exactly one rule. */
export type EpisodeType =
  | 'too_hot'
  | 'too_cold'
  | 'budget_exceeded'
  | 'mkt_exceeded'
  | 'too_humid'
  | 'too_dry'
  | 'shock'
  | 'tilted'
  | 'opened_in_transit'
  | 'opened_at_destination'
  | 'battery_low'
  | 'no_signal';

/**
 * How a closed episode ended: `reading` = a reading proved the end (back in range past the
 * hysteresis, stage changed, signal back, or the single reading of an instantaneous event);
 * `data_gap` = the readings stopped, so the last held value expired (see README, "Gaps");
 * `trip_end` = the trip ended (receipt + grace) while it was still going on.
 */
export type EndedBy = 'reading' | 'data_gap' | 'trip_end';

/** One episode of a rule: one per excursion, never one per reading. */
export interface Episode {
  /**
   * Identity. `evaluateTrip` derives it from the episode (`rule:type:start:startSeq`);
   * `TripEvaluator` keeps the id it first issued even when a late reading moves the start.
   */
  id: string;
  rule: RuleName;
  type: EpisodeType;
  severity: Severity;
  /** Event time (epoch ms) the condition began: the ts of its first out-of-range reading. */
  start: number;
  /** Event time it ended, or null while it is still going on. */
  end: number | null;
  endedBy: EndedBy | null;
  /** The most extreme value: highest for upper limits, lowest for lower limits (unit of the rule). */
  peak: number;
  /** The limit that was crossed, in the same unit as `peak`. */
  limit: number;
  /** `end - start`; while ongoing, the time covered so far by readings. */
  durationMs: number;
  /** seq of the reading that started it; null when it started at `startedAt + ignore` (no_signal). */
  startSeq: number | null;
  /** seqs of the readings that establish its facts (start, confirmation, peak, end), in event-time order. */
  evidence: number[];
  /** Stage of the parcel at the start reading. */
  stage: Stage | null;
  /** Excursions this incident holds: breaches within the profile's flap window extend it (README, "Incidents"). */
  repeatCount: number;
  /** Event time of the latest reading that showed the problem (the latest breach). */
  lastSeen: number;
}

export interface EvaluationContext {
  /** When the tracker was started / packed (epoch ms). Readings before `startedAt + ignoreAfterStartMs` are not judged. */
  startedAt?: number;
  /** The caller's clock (epoch ms). Only the no-signal rule reads it. */
  now?: number;
  /**
   * Stage of a reading from its own fix; null when it has none, and the reading keeps the
   * last known stage (README, "Stages"). Every reading is `in_transit` when absent.
   */
  stageAt?: (reading: Reading) => Stage | null;
  /** The stage before the first fix: `origin` when the trip has an origin geofence (packed there). Default `in_transit`. */
  initialStage?: Stage;
  /** When the parcel was received (epoch ms): readings from then on are at the destination. */
  receivedAt?: number;
  /** When the trip ends (receipt + grace, epoch ms): readings after it are not judged; going-on episodes end there. */
  endsAt?: number;
}

export interface MktSummary {
  valueC: number;
  limitC: number | null;
  exceeded: boolean;
}

export interface BudgetSummary {
  /** Held time outside [minC, maxC] over the judged trip, ignoring min duration and hysteresis. */
  usedMs: number;
  /** null when the profile sets no budget. */
  allowedMs: number | null;
  exceeded: boolean;
}

export interface TripSummary {
  /** Present once at least one temperature reading holds for a non-zero time. */
  mkt?: MktSummary;
  budget: BudgetSummary;
}

export interface TripEvaluation extends TripSummary {
  /** Sorted by start, then rule, type and startSeq. */
  episodes: Episode[];
}

/** A reading together with the stage the caller assigned to it. */
export interface StagedReading {
  reading: Reading;
  stage: Stage;
}

import type { Episode, EpisodeType, RuleName, StagedReading } from './types.ts';

export type EmitEpisode = (episode: Episode) => void;

/**
 * One rule's state machine. It is fed judged readings in event-time order and nothing
 * else, so its result depends only on the set of readings, never on arrival order.
 */
export interface Detector {
  /** Judges the next reading. An episode that ends here is emitted once, final. */
  step(staged: StagedReading, emit: EmitEpisode): void;
  /** Episodes still going on after the readings seen so far; only no-signal reads `now`. */
  ongoing(now: number | undefined): Episode[];
  /** Captures the state; the returned function puts it back, as often as needed. */
  save(): () => void;
  /**
   * The trip ended at `endsAt` (README, "Trip end"): what is still going on ends there
   * (`endedBy: 'trip_end'`) and is emitted; the detector judges nothing more.
   */
  finish(endsAt: number, emit: EmitEpisode): void;
  /** The run this detector is in, confirmed or not (an incident waits for it before it closes). */
  activeRun(): { type: EpisodeType; start: number } | null;
}

/** A detector whose whole state is one plain-data object, so saving it is a deep copy. */
export abstract class StatefulDetector<State> implements Detector {
  protected state: State;

  protected constructor(initial: State) {
    this.state = initial;
  }

  abstract step(staged: StagedReading, emit: EmitEpisode): void;
  abstract ongoing(now: number | undefined): Episode[];
  abstract finish(endsAt: number, emit: EmitEpisode): void;

  activeRun(): { type: EpisodeType; start: number } | null {
    return null;
  }

  save(): () => void {
    const saved = structuredClone(this.state);
    return () => {
      this.state = structuredClone(saved);
    };
  }
}

/** A reading's place in event time, enough to cite it as evidence. */
export interface ReadingPoint {
  ts: number;
  seq: number;
}

export const pointOf = (staged: StagedReading): ReadingPoint => ({ ts: staged.reading.ts, seq: staged.reading.seq });

/** Evidence seqs in event-time order, each once. */
export function evidenceSeqs(points: readonly (ReadingPoint | null | undefined)[]): number[] {
  const present = points.filter((p): p is ReadingPoint => p !== null && p !== undefined);
  present.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  return [...new Set(present.map((p) => p.seq))];
}

/** The identity an episode gets from its own facts (what `evaluateTrip` uses as id). */
export function naturalEpisodeKey(e: Pick<Episode, 'rule' | 'type' | 'start' | 'startSeq'>): string {
  return `${e.rule}:${e.type}:${e.start}:${e.startSeq ?? '-'}`;
}

/** An excursion as a detector finds it: one excursion (repeatCount 1) until incidents merge it. */
export type EpisodeDraft = Omit<Episode, 'id' | 'repeatCount'>;

export const withNaturalId = (draft: EpisodeDraft): Episode => ({
  id: naturalEpisodeKey(draft),
  ...draft,
  repeatCount: 1,
});

const RULE_ORDER: readonly RuleName[] = ['temperature', 'humidity', 'shock', 'tilt', 'light', 'battery', 'no_signal'];
const TYPE_ORDER: readonly EpisodeType[] = [
  'too_hot',
  'too_cold',
  'budget_exceeded',
  'mkt_exceeded',
  'too_humid',
  'too_dry',
  'shock',
  'tilted',
  'opened_in_transit',
  'opened_at_destination',
  'battery_low',
  'no_signal',
];

/** The order episodes are reported in: start, then rule, type and start reading. */
export function compareEpisodes(a: Episode, b: Episode): number {
  return (
    a.start - b.start ||
    RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule) ||
    TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
    (a.startSeq ?? -1) - (b.startSeq ?? -1)
  );
}

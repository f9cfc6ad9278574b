import { compareEpisodes, naturalEpisodeKey } from './detector.ts';
import type { Episode } from './types.ts';

/** What changed since the previous call, for the platform to persist and alert on. */
export interface EpisodeChanges {
  /** First reported. Send the start notice. An episode discovered already ended is also in `closed`. */
  opened: Episode[];
  /** Known and changed, without newly ending (peak, duration, start moved, reopened by late readings). */
  updated: Episode[];
  /** Its end became known in this call. Send the end notice. */
  closed: Episode[];
  /** Previously reported, no longer supported by the readings (a late reading disproved it); the last reported version. */
  retracted: Episode[];
  /**
   * Facts people were already shown that late readings changed (start moved, peak, end,
   * repeats, or retracted): the platform records each as a correction, never silently.
   * Each episode is also in `updated`, `closed` or `retracted`.
   */
  corrected: Correction[];
}

/** One shown fact before and after. Times are epoch ms. */
export interface FactChange<T> {
  from: T;
  to: T;
}

export interface Correction {
  /** The episode as it is now (the last reported version, if retracted). */
  episode: Episode;
  /** Event time of the change: the earliest late reading that caused it, or the episode's start on a rebuild. */
  eventTime: number;
  changed: {
    start?: FactChange<number>;
    peak?: FactChange<number>;
    end?: FactChange<number | null>;
    endedBy?: FactChange<Episode['endedBy']>;
    repeatCount?: FactChange<number>;
    severity?: FactChange<Episode['severity']>;
    retracted?: true;
  };
}

/** Peaks come back from storage as float4 readings: equal within rounding is the same peak. */
const samePeak = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/** What `after` changed of the facts `before` showed; undefined when nothing shown changed. */
function shownChanges(before: Episode, after: Episode): Correction['changed'] | undefined {
  const changed: Correction['changed'] = {};
  if (before.start !== after.start) changed.start = { from: before.start, to: after.start };
  if (!samePeak(before.peak, after.peak)) changed.peak = { from: before.peak, to: after.peak };
  // An end nobody was shown yet is news, not a correction.
  if (before.end !== null && before.end !== after.end) changed.end = { from: before.end, to: after.end };
  if (before.end !== null && before.endedBy !== after.endedBy)
    changed.endedBy = { from: before.endedBy, to: after.endedBy };
  if (before.repeatCount !== after.repeatCount)
    changed.repeatCount = { from: before.repeatCount, to: after.repeatCount };
  if (before.severity !== after.severity) changed.severity = { from: before.severity, to: after.severity };
  return Object.keys(changed).length > 0 ? changed : undefined;
}

const endOf = (e: Episode) => e.end ?? Number.POSITIVE_INFINITY;
const overlap = (a: Episode, b: Episode) => a.start <= endOf(b) && b.start <= endOf(a);

function sameEpisode(a: Episode, b: Episode): boolean {
  return (
    a.id === b.id &&
    a.severity === b.severity &&
    a.start === b.start &&
    a.end === b.end &&
    a.endedBy === b.endedBy &&
    a.peak === b.peak &&
    a.limit === b.limit &&
    a.durationMs === b.durationMs &&
    a.startSeq === b.startSeq &&
    a.stage === b.stage &&
    a.repeatCount === b.repeatCount &&
    a.lastSeen === b.lastSeen &&
    a.evidence.length === b.evidence.length &&
    a.evidence.every((seq, i) => seq === b.evidence[i])
  );
}

/**
 * The episodes reported so far, under stable ids. A re-evaluation produces episodes with
 * ids derived from their facts; `reconcile` maps each to the reported episode it continues
 * (same type and overlapping in time, an exact start preferred), so a start moved earlier by a
 * late reading, an extension or a split keeps the first id, and an id is never opened twice.
 */
export class EpisodeRegistry {
  private readonly reported = new Map<string, Episode>();
  /** Ids of reported episodes without an end: the only ones a live reading can change. */
  private readonly ongoingIds = new Set<string>();
  private readonly issuedIds = new Set<string>();

  constructor(known: readonly Episode[] = []) {
    for (const episode of known) {
      this.put(episode);
      this.issuedIds.add(episode.id);
    }
  }

  all(): Episode[] {
    return [...this.reported.values()].sort(compareEpisodes);
  }

  ongoing(): Episode[] {
    return [...this.ongoingIds].map((id) => this.reported.get(id)!);
  }

  /**
   * Replaces `previous` (reported episodes) by `next` (freshly evaluated ones) and says
   * what changed. Reported episodes outside `previous` are untouched, so the hot path can
   * pass only the ongoing ones.
   */
  reconcile(
    previous: readonly Episode[],
    next: readonly Episode[],
    why: { late: boolean; eventTime: number | null } = { late: false, eventTime: null },
  ): EpisodeChanges {
    const changes: EpisodeChanges = { opened: [], updated: [], closed: [], retracted: [], corrected: [] };
    const fresh = [...next].sort(compareEpisodes);
    const continued = matchContinued(previous, fresh);
    const matched = new Set(continued.values());
    for (const gone of previous) {
      if (matched.has(gone)) continue;
      this.remove(gone.id);
      changes.retracted.push(gone);
      // A retraction withdraws something shown, whatever path found it (a silence filled by a buffered upload).
      changes.corrected.push({ episode: gone, eventTime: why.eventTime ?? gone.start, changed: { retracted: true } });
    }
    for (const found of fresh) {
      const before = continued.get(found);
      const episode = { ...found, id: before?.id ?? this.issueId(found) };
      this.put(episode);
      // Live progress (a peak rising, an end arriving) is news; only a re-judgement by late readings corrects.
      const changed = why.late && before ? shownChanges(before, episode) : undefined;
      if (changed) changes.corrected.push({ episode, eventTime: why.eventTime ?? episode.start, changed });
      if (!before) {
        changes.opened.push(episode);
        if (episode.end !== null) changes.closed.push(episode);
      } else if (before.end === null && episode.end !== null) {
        changes.closed.push(episode);
      } else if (!sameEpisode(before, episode)) {
        changes.updated.push(episode);
      }
    }
    changes.retracted.sort(compareEpisodes);
    changes.corrected.sort((a, b) => compareEpisodes(a.episode, b.episode));
    return changes;
  }

  private put(episode: Episode): void {
    this.reported.set(episode.id, episode);
    if (episode.end === null) this.ongoingIds.add(episode.id);
    else this.ongoingIds.delete(episode.id);
  }

  private remove(id: string): void {
    this.reported.delete(id);
    this.ongoingIds.delete(id);
  }

  private issueId(episode: Episode): string {
    const natural = naturalEpisodeKey(episode);
    let id = natural;
    for (let n = 2; this.issuedIds.has(id); n++) id = `${natural}~${n}`;
    this.issuedIds.add(id);
    return id;
  }
}

/**
 * Pairs each fresh episode with the reported one it continues: first by identical facts
 * (type, start, start reading), then the earliest unpaired one of the same type that
 * overlaps it in time. `fresh` must be in report order.
 */
function matchContinued(previous: readonly Episode[], fresh: readonly Episode[]): Map<Episode, Episode> {
  const pairs = new Map<Episode, Episode>();
  const unpaired = new Set(previous);
  const byKey = new Map<string, Episode>();
  for (const p of [...previous].reverse()) byKey.set(naturalEpisodeKey(p), p);
  for (const f of fresh) {
    const same = byKey.get(naturalEpisodeKey(f));
    if (same && unpaired.has(same)) {
      pairs.set(f, same);
      unpaired.delete(same);
    }
  }
  const byStart = [...unpaired].sort(compareEpisodes);
  for (const f of fresh) {
    if (pairs.has(f)) continue;
    const p = byStart.find(
      (candidate) => unpaired.has(candidate) && candidate.type === f.type && overlap(candidate, f),
    );
    if (!p) continue;
    pairs.set(f, p);
    unpaired.delete(p);
  }
  return pairs;
}

import type { Detector, EmitEpisode } from './detector.ts';
import type { Episode, EpisodeType, Severity } from './types.ts';

/**
 * One incident per problem (README, "Incidents"). A detector finds excursions; an
 * excursion of the same type that starts within `flapWindowMs` of the previous one's end
 * extends that incident (repeat count, last seen, peak) instead of opening another. An
 * incident closes only once the rule stayed clear for the whole window (a judged reading
 * later than end + window, with no run of that type pending from inside the window) or
 * the trip ended. Until then it is reported as going on, so there is exactly one start
 * notice and one end notice however often a box is opened and shut.
 */

/** Types whose worst value is the lowest one. */
const LOWER_IS_WORSE = new Set<EpisodeType>(['too_cold', 'too_dry', 'battery_low']);
const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
/** Evidence kept of a long incident: the readings of its first and latest excursions. */
const EVIDENCE_KEPT = 12;

interface IncidentState {
  /** Per type: the incident whose last excursion ended, waiting out the flap window. */
  cooling: Partial<Record<EpisodeType, Episode>>;
}

export class IncidentFolder {
  private state: IncidentState = { cooling: {} };

  constructor(private readonly flapWindowMs: number) {}

  /** An excursion ended: it extends the incident cooling down, or starts one (closing an older one). */
  excursionClosed(e: Episode, emit: EmitEpisode): void {
    if (this.flapWindowMs === 0) return emit(e);
    const cooling = this.state.cooling[e.type];
    if (cooling && e.start - cooling.end! <= this.flapWindowMs) {
      this.state.cooling[e.type] = merge(cooling, e);
      return;
    }
    if (cooling) emit(cooling);
    this.state.cooling[e.type] = e;
  }

  /** Event time reached `ts` (a judged reading): incidents clear for the whole window close. */
  advance(ts: number, detectors: readonly Detector[], emit: EmitEpisode): void {
    for (const [type, incident] of Object.entries(this.state.cooling) as [EpisodeType, Episode][]) {
      const windowEnd = incident.end! + this.flapWindowMs;
      if (ts <= windowEnd) continue;
      // A run that began inside the window may still be confirmed (minimum duration): it would extend this incident.
      const pending = detectors.some((d) => {
        const run = d.activeRun();
        return run !== null && run.type === type && run.start <= windowEnd;
      });
      if (pending) continue;
      delete this.state.cooling[type];
      emit(incident);
    }
  }

  /** The trip ended: every incident closes with its last excursion. */
  finish(emit: EmitEpisode): void {
    for (const incident of Object.values(this.state.cooling)) emit(incident);
    this.state.cooling = {};
  }

  /** What is going on: detector episodes joined to their cooling incident, and the incidents still cooling down. */
  ongoing(fromDetectors: readonly Episode[]): Episode[] {
    const out: Episode[] = [];
    const joined = new Set<EpisodeType>();
    for (const e of fromDetectors) {
      const cooling = this.state.cooling[e.type];
      if (cooling && e.start - cooling.end! <= this.flapWindowMs) {
        joined.add(e.type);
        out.push(merge(cooling, e));
      } else {
        out.push(e);
      }
    }
    for (const [type, incident] of Object.entries(this.state.cooling) as [EpisodeType, Episode][]) {
      if (!joined.has(type)) out.push({ ...incident, end: null, endedBy: null });
    }
    return out;
  }

  save(): () => void {
    const saved = structuredClone(this.state);
    return () => {
      this.state = structuredClone(saved);
    };
  }
}

/** The incident `a` extended by the later excursion `b` (still going on when `b.end` is null). */
function merge(a: Episode, b: Episode): Episode {
  const worse = LOWER_IS_WORSE.has(a.type) ? b.peak < a.peak : b.peak > a.peak;
  const evidence = [...new Set([...a.evidence, ...b.evidence])];
  return {
    ...a,
    severity: RANK[b.severity] > RANK[a.severity] ? b.severity : a.severity,
    end: b.end,
    endedBy: b.endedBy,
    peak: worse ? b.peak : a.peak,
    durationMs: b.start + b.durationMs - a.start,
    evidence:
      evidence.length <= EVIDENCE_KEPT
        ? evidence
        : [...evidence.slice(0, EVIDENCE_KEPT / 2), ...evidence.slice(-EVIDENCE_KEPT / 2)],
    repeatCount: a.repeatCount + b.repeatCount,
    lastSeen: Math.max(a.lastSeen, b.lastSeen),
  };
}

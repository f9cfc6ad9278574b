/**
 * How current a parcel's data is, judged on when the platform last heard from its tracker.
 * Trackers report every 5–15 minutes, so an hour without news can be a coverage gap, but
 * two hours means the parcel needs a look.
 */
export const LIVE_WITHIN_MS = 5 * 60 * 1000;
export const SILENT_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * - `live`: heard from in the last few minutes;
 * - `reporting`: heard from within the silence threshold;
 * - `silent`: not heard from for longer than that;
 * - `never`: packed in a sample, but the tracker has never reported.
 */
export type Freshness = 'live' | 'reporting' | 'silent' | 'never';

export function freshnessOf(lastSeenMs: number | null, nowMs: number): Freshness {
  if (lastSeenMs === null) return 'never';
  const age = nowMs - lastSeenMs;
  if (age > SILENT_AFTER_MS) return 'silent';
  return age <= LIVE_WITHIN_MS ? 'live' : 'reporting';
}

/** Whether the freshness counts as reporting (live is a kind of reporting). */
export function isReporting(f: Freshness): boolean {
  return f === 'live' || f === 'reporting';
}

/** Milliseconds since epoch of an ISO time, or null when absent or unreadable. */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

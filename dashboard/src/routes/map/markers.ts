import type { Parcel } from '$lib/api';
import { SILENT_AFTER_MS } from '$lib/freshness';
import { STATE_COLOUR } from '$lib/map/layers';

/** What a marker's colour says, most urgent first. */
export type MarkerState = 'exception' | 'silent' | 'destination' | 'transit';

export const MARKER_STATES: { state: MarkerState; label: string; colour: string; title: string }[] = [
  {
    state: 'exception',
    label: 'Exception',
    colour: STATE_COLOUR.exception,
    title: 'The sample has an open condition exception',
  },
  {
    state: 'silent',
    label: 'Silent > 2 h',
    colour: STATE_COLOUR.silent,
    title: 'Not heard from for more than 2 hours',
  },
  {
    state: 'destination',
    label: 'At destination',
    colour: STATE_COLOUR.destination,
    title: 'Delivered, or later in the lifecycle',
  },
  { state: 'transit', label: 'In transit', colour: STATE_COLOUR.transit, title: 'Reporting, not yet delivered' },
];

export const MARKER_COLOUR = Object.fromEntries(MARKER_STATES.map((s) => [s.state, s.colour])) as Record<
  MarkerState,
  string
>;

// Sample statuses from which the parcel has arrived.
const ARRIVED = new Set(['delivered', 'content_due', 'damaged', 'posted', 'no_post', 'outcome_recorded']);

export function markerState(
  parcel: Parcel,
  lastSeenMs: number | null,
  openExceptions: number,
  nowMs: number,
): MarkerState {
  if (openExceptions > 0) return 'exception';
  if (lastSeenMs === null || nowMs - lastSeenMs > SILENT_AFTER_MS) return 'silent';
  if (parcel.sampleStatus && ARRIVED.has(parcel.sampleStatus)) return 'destination';
  return 'transit';
}

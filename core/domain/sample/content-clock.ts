import type { SampleState } from './sample-state.ts';

export const DAY_MS = 86_400_000;

/** The posting window settings the clock needs (part of the follow-up policy). */
export interface ContentWindow {
  /** Days from actual receipt to post (TikTok Shop: 14). */
  postingWindowDays: number;
  /** Length of the one extension (TikTok Shop: 7). */
  extensionDays: number;
}

/**
 * When content is due: receipt + posting window (+ the extension if granted) + time the
 * clock spent paused for damage. Days are 24-hour spans from the receipt instant, not
 * calendar days, so the result does not depend on a time zone.
 *
 * `undefined` while there is no due date: not delivered yet, or paused (damaged: the due
 * date is unknown until the damage is resolved).
 */
export function contentDueAt(sample: SampleState, window: ContentWindow): number | undefined {
  const clock = sample.contentClock;
  if (!sample.delivery || clock.pausedSince !== undefined) return undefined;
  const days = window.postingWindowDays + (clock.extensionGranted ? window.extensionDays : 0);
  return sample.delivery.receivedAt + days * DAY_MS + clock.pausedMs;
}

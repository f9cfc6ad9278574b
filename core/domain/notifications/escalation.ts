/**
 * Escalation: tier 1 subscribers hear of an exception at once; if nobody acknowledged a
 * critical one after `afterMs`, tier 2 subscribers are told; after another `afterMs`,
 * tier 3, and so on until someone acknowledges it. Each tier is told once.
 */

/** When tier `tier` is due for an exception that was first notified at `openedAt`. */
export function tierDueAt(openedAt: Date, tier: number, afterMs: number): Date {
  return new Date(openedAt.getTime() + Math.max(0, tier - 1) * afterMs);
}

/** The highest tier due by `now`: 1 at once, 2 after `afterMs`, 3 after twice that, … */
export function highestDueTier(openedAt: Date, now: Date, afterMs: number): number {
  const elapsed = now.getTime() - openedAt.getTime();
  return elapsed < 0 ? 1 : Math.floor(elapsed / afterMs) + 1;
}

/**
 * Coalesces invalidations per key: each request sets a deadline (the earliest one wins),
 * and a key is reloaded once per deadline however many messages asked for it. Plain
 * TypeScript with its effects injected, so its timing is unit-tested with fake timers.
 */
export interface SchedulerEffects {
  invalidate(key: string): Promise<void>;
  /**
   * Whether a navigation is in flight. SvelteKit's invalidate abandons one (a filter, the
   * next page) and reloads the old URL: the reload waits for the navigation instead.
   */
  navigating(): boolean;
}

const NAVIGATION_RETRY_MS = 250;

interface Pending {
  at: number;
  timer: ReturnType<typeof setTimeout>;
}

export class InvalidationScheduler {
  #pending = new Map<string, Pending>();
  #running = new Set<string>();
  /** Keys requested again while their reload ran: reloaded once more after it. */
  #again = new Map<string, number>();
  #effects: SchedulerEffects;

  constructor(effects: SchedulerEffects) {
    this.#effects = effects;
  }

  /** Reloads `key` within `withinMs` from now. */
  request(key: string, withinMs: number): void {
    if (this.#running.has(key)) {
      this.#again.set(key, Math.min(this.#again.get(key) ?? withinMs, withinMs));
      return;
    }
    const at = Date.now() + withinMs;
    const had = this.#pending.get(key);
    if (had && had.at <= at) return;
    if (had) clearTimeout(had.timer);
    this.#pending.set(key, { at, timer: setTimeout(() => void this.#fire(key), withinMs) });
  }

  async #fire(key: string): Promise<void> {
    this.#pending.delete(key);
    if (this.#effects.navigating()) {
      this.request(key, NAVIGATION_RETRY_MS);
      return;
    }
    this.#running.add(key);
    try {
      await this.#effects.invalidate(key);
    } catch {
      // A failed reload shows on the page (its error boundary); the next change retries.
    } finally {
      this.#running.delete(key);
      const again = this.#again.get(key);
      if (again !== undefined) {
        this.#again.delete(key);
        this.request(key, again);
      }
    }
  }

  /** Whether a reload of `key` is waiting for its deadline. */
  isPending(key: string): boolean {
    return this.#pending.has(key);
  }

  dispose(): void {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#again.clear();
  }
}

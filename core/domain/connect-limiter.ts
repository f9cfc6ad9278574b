/**
 * Token buckets keyed by a string (a device id, an IP address): each key may spend
 * `perMinute` tokens at once and earns them back at `perMinute` per minute. Pure: the
 * clock is passed in, so tests drive time.
 *
 * Memory stays bounded under a flood of distinct keys: a bucket that has refilled
 * completely carries no information and is dropped on the next sweep, and past `maxKeys`
 * the oldest buckets go first (a forgotten bucket starts full, i.e. errs on allowing).
 */
export class ConnectLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private nextSweep = 0;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** 0 turns the limit off. */
  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Whether `key` has a token left now, without spending it. */
  allows(key: string, now: number): boolean {
    return !this.enabled || this.tokens(key, now) >= 1;
  }

  /** Spends one token of `key`; false (and nothing spent) when none is left. */
  take(key: string, now: number): boolean {
    if (!this.enabled) return true;
    const tokens = this.tokens(key, now);
    if (tokens < 1) return false;
    this.buckets.delete(key); // re-insert: the map's order stays least-recently-used first
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    this.sweep(now);
    return true;
  }

  /** Forgets `key` (its bucket starts full again). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private tokens(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return this.perMinute;
    return Math.min(this.perMinute, b.tokens + Math.max(0, now - b.at) * this.perMs);
  }

  private sweep(now: number): void {
    if (now >= this.nextSweep) {
      this.nextSweep = now + 60_000;
      for (const [key] of this.buckets) if (this.tokens(key, now) >= this.perMinute) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * Requests per key in a fixed one-minute window, in memory (one process): enough to stop a
 * script hammering a creator link or one address, without a store of its own. A window
 * that has passed is forgotten on the next look, so idle keys do not accumulate.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one request; returns 0 when allowed, else the milliseconds until the key may try again. */
  take(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.sweep(now);
      this.windows.set(key, { start: now, count: 1 });
      return 0;
    }
    if (w.count >= this.perWindow) return w.start + this.windowMs - now;
    w.count++;
    return 0;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

/**
 * Failed sign-ins per email and per IP in a sliding window, in memory (one process).
 * Only failures count, so a team behind one NAT signing in all day is never blocked;
 * a guesser is, after a few tries per account and a few dozen per address.
 */
export interface ThrottleLimits {
  windowMs: number;
  perEmail: number;
  perIp: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { windowMs: 15 * 60_000, perEmail: 5, perIp: 30 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_LIMITS) {}

  /** Milliseconds until another attempt is allowed, or 0. */
  retryAfterMs(email: string, ip: string, now: number): number {
    const wait = (key: string, max: number) => {
      const recent = this.recent(key, now);
      return recent.length >= max ? recent[recent.length - max]! + this.limits.windowMs - now : 0;
    };
    return Math.max(wait(emailKey(email), this.limits.perEmail), wait(`ip:${ip}`, this.limits.perIp));
  }

  fail(email: string, ip: string, now: number): void {
    for (const key of [emailKey(email), `ip:${ip}`]) this.failures.set(key, [...this.recent(key, now), now]);
  }

  /** A correct password clears the account's failures (not the address's). */
  succeed(email: string): void {
    this.failures.delete(emailKey(email));
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;

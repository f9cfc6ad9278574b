import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows perWindow requests per key, then says how long to wait', () => {
    const r = new RateLimiter(3, 60_000);
    expect([r.take('a', 0), r.take('a', 1), r.take('a', 2)]).toEqual([0, 0, 0]);
    expect(r.take('a', 10_000)).toBe(50_000);
    expect(r.take('b', 10_000)).toBe(0);
  });
  it('opens again once the window has passed', () => {
    const r = new RateLimiter(1, 60_000);
    r.take('a', 0);
    expect(r.take('a', 59_999)).toBe(1);
    expect(r.take('a', 60_000)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';

describe('LoginThrottle', () => {
  const limits = { windowMs: 60_000, perEmail: 3, perIp: 5 };

  it('blocks an account after its failures, until the oldest leaves the window', () => {
    const t = new LoginThrottle(limits);
    for (let i = 0; i < 3; i++) t.fail('Kim@x.io', '1.1.1.1', 1000 * i);
    expect(t.retryAfterMs('kim@x.io', '2.2.2.2', 3000)).toBe(57_000);
    expect(t.retryAfterMs('other@x.io', '2.2.2.2', 3000)).toBe(0);
    expect(t.retryAfterMs('kim@x.io', '2.2.2.2', 60_001)).toBe(0);
  });

  it('blocks an address guessing across accounts', () => {
    const t = new LoginThrottle(limits);
    for (let i = 0; i < 5; i++) t.fail(`u${i}@x.io`, '1.1.1.1', i);
    expect(t.retryAfterMs('new@x.io', '1.1.1.1', 10)).toBeGreaterThan(0);
    expect(t.retryAfterMs('new@x.io', '9.9.9.9', 10)).toBe(0);
  });

  it("forgets an account's failures after a success", () => {
    const t = new LoginThrottle(limits);
    for (let i = 0; i < 3; i++) t.fail('kim@x.io', '1.1.1.1', i);
    t.succeed('kim@x.io');
    expect(t.retryAfterMs('kim@x.io', '2.2.2.2', 10)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { ConnectLimiter } from './connect-limiter.ts';

describe('ConnectLimiter', () => {
  it('allows a burst of perMinute, then refuses until tokens are earned back', () => {
    const l = new ConnectLimiter(3);
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, true, false]);
    // One token per 20 s at 3/min.
    expect(l.take('a', 19_999)).toBe(false);
    expect(l.take('a', 20_000)).toBe(true);
    expect(l.take('a', 20_001)).toBe(false);
  });

  it('keeps keys apart', () => {
    const l = new ConnectLimiter(1);
    expect(l.take('a', 0)).toBe(true);
    expect(l.take('a', 0)).toBe(false);
    expect(l.take('b', 0)).toBe(true);
  });

  it('allows() looks without spending; a refused take spends nothing', () => {
    const l = new ConnectLimiter(1);
    expect(l.allows('a', 0)).toBe(true);
    expect(l.allows('a', 0)).toBe(true);
    expect(l.take('a', 0)).toBe(true);
    expect(l.allows('a', 0)).toBe(false);
    expect(l.take('a', 30_000)).toBe(false);
    expect(l.take('a', 60_000)).toBe(true);
  });

  it('never holds more than perMinute tokens after a long idle time', () => {
    const l = new ConnectLimiter(2);
    l.take('a', 0);
    const later = 3600_000;
    expect([l.take('a', later), l.take('a', later), l.take('a', later)]).toEqual([true, true, false]);
  });

  it('is off at 0', () => {
    const l = new ConnectLimiter(0);
    expect(l.enabled).toBe(false);
    for (let i = 0; i < 100; i++) expect(l.take('a', 0)).toBe(true);
    expect(l.size).toBe(0);
  });

  it('drops refilled buckets and caps the number of keys', () => {
    const l = new ConnectLimiter(10, 5);
    for (let i = 0; i < 20; i++) l.take(`k${i}`, 0);
    expect(l.size).toBe(5);
    // The oldest were dropped: k0 starts full again, k19 is still charged.
    expect(l.allows('k0', 0)).toBe(true);
    l.take('k19', 120_000);
    expect(l.size).toBe(1);
  });

  it('reset() forgets a key', () => {
    const l = new ConnectLimiter(1);
    l.take('a', 0);
    l.reset('a');
    expect(l.take('a', 0)).toBe(true);
  });
});

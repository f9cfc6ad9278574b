import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidationScheduler } from '../../dashboard/src/lib/live/scheduler.ts';

// The store's per-key coalescing (dashboard/src/lib/live/scheduler.ts), on fake timers.
describe('invalidation scheduler', () => {
  let calls: string[];
  let navigating: boolean;
  let release: (() => void) | null;
  let hold: boolean;
  const make = () =>
    new InvalidationScheduler({
      invalidate: (key) => {
        calls.push(key);
        return hold ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      navigating: () => navigating,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    navigating = false;
    release = null;
    hold = false;
  });
  afterEach(() => vi.useRealTimers());

  it('reloads a key once for a burst of requests within its deadline', async () => {
    const s = make();
    for (let i = 0; i < 10; i++) {
      s.request('app:sample:S-1', 5000);
      await vi.advanceTimersByTimeAsync(400);
    }
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual(['app:sample:S-1']);
  });

  it('lets an urgent request bring a pending reload forward', async () => {
    const s = make();
    s.request('k', 5000);
    s.request('k', 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['k']);
    await vi.advanceTimersByTimeAsync(6000);
    expect(calls).toEqual(['k']);
  });

  it('keeps keys apart', async () => {
    const s = make();
    s.request('a', 0);
    s.request('b', 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.sort()).toEqual(['a', 'b']);
  });

  it('waits for a navigation in flight instead of abandoning it', async () => {
    const s = make();
    navigating = true;
    s.request('app:exceptions', 0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual([]);
    navigating = false;
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toEqual(['app:exceptions']);
  });

  it('runs one reload of a key at a time, and once more for what came in meanwhile', async () => {
    const s = make();
    hold = true;
    s.request('k', 0);
    await vi.advanceTimersByTimeAsync(0);
    s.request('k', 0);
    s.request('k', 0);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['k']);
    hold = false;
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['k', 'k']);
  });

  it('drops pending reloads when disposed', async () => {
    const s = make();
    s.request('k', 100);
    s.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
  });
});

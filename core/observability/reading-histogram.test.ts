import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ReadingHistogram } from './reading-histogram.ts';

describe('ReadingHistogram', () => {
  it('exports the text prom-client’s Histogram exports for the same observations', async () => {
    const options = { name: 'x_seconds', help: 'x', buckets: [0.005, 0.1, 1, 60] };
    const ours = new Registry();
    const theirs = new Registry();
    const a = new ReadingHistogram({ ...options, registers: [ours] });
    const b = new Histogram({ ...options, registers: [theirs] });
    const empty = await ours.metrics();
    expect(empty).toBe(await theirs.metrics());
    // On a bound (counted in it, le means ≤), between bounds, past the last, zero.
    for (const v of [0, 0.005, 0.0051, 0.1, 0.5, 1, 59.9, 60, 61, 3600, 0.25]) {
      a.observe(v);
      b.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('x_seconds_bucket{le="1"} 7');
    expect(() => a.observe(Number.NaN)).toThrow(TypeError);
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(empty);
  });
});

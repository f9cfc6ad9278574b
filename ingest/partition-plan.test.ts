import { describe, expect, it } from 'vitest';
import { planPartitions } from './partition-plan.ts';

describe('planPartitions', () => {
  it('a lone worker takes every partition', () => {
    expect(planPartitions({ partitions: 4, consuming: [], mine: [], taken: [], liveWorkers: 1 })).toEqual({
      claim: [0, 1, 2, 3],
      release: [],
      lost: [],
    });
  });

  it('a loaded worker gives back its excess when a second one appears', () => {
    const plan = planPartitions({
      partitions: 8,
      consuming: [0, 1, 2, 3, 4, 5, 6, 7],
      mine: [0, 1, 2, 3, 4, 5, 6, 7],
      taken: [],
      liveWorkers: 2,
    });
    expect(plan.release).toEqual([4, 5, 6, 7]);
    expect(plan.claim).toEqual([]);
  });

  it('the newcomer claims only what nobody holds', () => {
    const plan = planPartitions({ partitions: 8, consuming: [], mine: [], taken: [0, 1, 2, 3, 4, 5], liveWorkers: 2 });
    expect(plan.claim).toEqual([6, 7]);
  });

  it('a partition consumed without a live lease is lost', () => {
    const plan = planPartitions({ partitions: 4, consuming: [0, 1], mine: [0], taken: [1], liveWorkers: 2 });
    expect(plan.lost).toEqual([1]);
    expect(plan.claim).toEqual([2]);
  });

  it('shares round up, so every partition has an owner', () => {
    const a = planPartitions({ partitions: 8, consuming: [], mine: [], taken: [], liveWorkers: 3 });
    expect(a.claim).toHaveLength(3);
  });
});

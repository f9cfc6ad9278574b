import { describe, expect, it } from 'vitest';
import { creatorRollup } from './creator-rollup.ts';

const none = {
  samplesSent: 0,
  samplesReceived: 0,
  posted: 0,
  postedOnTime: 0,
  outcomesKnown: 0,
  usableForAds: 0,
  receivedUndamaged: 0,
};

describe('creator roll-up', () => {
  it('a creator with nothing sent has no rates (null), not zero ones', () => {
    expect(creatorRollup(none)).toEqual({
      postsPerSend: null,
      onTimeRate: null,
      usableForAdsRate: null,
      damageFreeRate: null,
    });
  });

  it('divides each count by its own base', () => {
    const r = creatorRollup({
      samplesSent: 4,
      samplesReceived: 4,
      posted: 2,
      postedOnTime: 1,
      outcomesKnown: 4,
      usableForAds: 1,
      receivedUndamaged: 3,
    });
    // On time over known outcomes: 1 of (2 posted + 2 missed); a miss is never on time.
    expect(r).toEqual({ postsPerSend: 0.5, onTimeRate: 0.25, usableForAdsRate: 0.5, damageFreeRate: 0.75 });
  });
});

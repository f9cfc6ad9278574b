/**
 * The creator record's roll-up (issue 12): what a creator's sends came to, as rates over
 * the counts the creator repository derives from the samples. Pure; a rate whose
 * denominator is zero is null ("no data yet"), never 0, so a new creator does not read
 * as a bad one.
 */
export interface RollupCounts {
  samplesSent: number;
  samplesReceived: number;
  posted: number;
  postedOnTime: number;
  /** Sends posted or recorded as no post (a late post after a no post counts once). */
  outcomesKnown: number;
  usableForAds: number;
  receivedUndamaged: number;
}

export interface CreatorRollup {
  /** Posts per send made (shipped): above 1 when a send earned more than one post. */
  postsPerSend: number | null;
  /** Of the sends whose content outcome is known (posted or no post), the share posted by the due date. */
  onTimeRate: number | null;
  /** Of the posts, the share the brand may use in ads. */
  usableForAdsRate: number | null;
  /** Of the sends received, the share that arrived without damage. */
  damageFreeRate: number | null;
}

const rate = (n: number, of: number): number | null => (of > 0 ? n / of : null);

export function creatorRollup(c: RollupCounts): CreatorRollup {
  return {
    postsPerSend: rate(c.posted, c.samplesSent),
    onTimeRate: rate(c.postedOnTime, c.outcomesKnown),
    usableForAdsRate: rate(c.usableForAds, c.posted),
    damageFreeRate: rate(c.receivedUndamaged, c.samplesReceived),
  };
}

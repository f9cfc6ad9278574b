import { describe, expect, it } from 'vitest';
import { CLAIM_STATUSES, checkClaimMove, type ClaimStatus } from './claim.ts';

describe('carrier claim lifecycle', () => {
  it('goes open → submitted → paid or denied, and may be withdrawn until decided', () => {
    const ok: [ClaimStatus, ClaimStatus][] = [
      ['open', 'submitted'],
      ['open', 'withdrawn'],
      ['submitted', 'paid'],
      ['submitted', 'denied'],
      ['submitted', 'withdrawn'],
    ];
    for (const [from, to] of ok) expect(() => checkClaimMove(from, to)).not.toThrow();
    expect(() => checkClaimMove('open', 'paid')).toThrow(/allowed: submitted, withdrawn/);
  });

  it('a decided claim moves no more', () => {
    for (const from of ['paid', 'denied', 'withdrawn'] as const) {
      for (const to of CLAIM_STATUSES) expect(() => checkClaimMove(from, to)).toThrow(/none \(final\)/);
    }
  });
});

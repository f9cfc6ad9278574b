import { DomainError } from '../errors.ts';

/**
 * A claim against the carrier for a damaged or lost parcel (table sample_claims, migration
 * 018): opened, submitted to the carrier, then paid or denied; withdrawn while still ours
 * or the carrier's to decide. Paid, denied and withdrawn are final.
 */
export const CLAIM_STATUSES = ['open', 'submitted', 'paid', 'denied', 'withdrawn'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

const NEXT: Record<ClaimStatus, readonly ClaimStatus[]> = {
  open: ['submitted', 'withdrawn'],
  submitted: ['paid', 'denied', 'withdrawn'],
  paid: [],
  denied: [],
  withdrawn: [],
};

/** Claims still being pursued: a second one for the same parcel is not opened. */
export const LIVE_CLAIM_STATUSES: readonly ClaimStatus[] = ['open', 'submitted'];

/** Refuses a move the claim lifecycle does not allow (INVALID_TRANSITION, naming what is allowed). */
export function checkClaimMove(from: ClaimStatus, to: ClaimStatus): void {
  const allowed = NEXT[from];
  if (allowed.includes(to)) return;
  const options = allowed.length ? allowed.join(', ') : 'none (final)';
  throw new DomainError('INVALID_TRANSITION', `cannot move a claim that is ${from} to ${to}; allowed: ${options}`, {
    current: from,
    to,
    allowed,
  });
}

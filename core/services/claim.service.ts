import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { LIVE_CLAIM_STATUSES, checkClaimMove, type ClaimStatus } from '../domain/sample/claim.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { ClaimRepository, type ClaimRow } from '../storage/repositories/claim.repository.ts';
import type { Sql } from '../storage/sql.ts';
import { withTransaction } from '../storage/transaction.ts';
import { lifecycleRepos, loadForUpdate } from './sample-state.store.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface OpenClaimInput {
  amountCents?: number;
  note?: string;
  exceptionId?: number;
}

/**
 * Claims against the carrier for a damaged or lost parcel. One live claim (open or
 * submitted) per sample: an exception resolved as "carrier claim" joins it, a second
 * POST is refused. Every change is audited under the signed-in identity; who opened it is
 * the signed-in person, never a name from the request.
 */
export class ClaimService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.pool = pool;
    this.now = now;
  }

  async ofSample(sampleId: string): Promise<ClaimRow[]> {
    const r = lifecycleRepos(this.pool);
    if (!(await r.samples.get(sampleId))) throw notFound('sample', sampleId);
    return new ClaimRepository(this.pool).ofSample(sampleId);
  }

  async open(sampleId: string, input: OpenClaimInput, person: string, by: AuditActor): Promise<ClaimRow> {
    return withTransaction(this.pool, async (tx) => {
      const { claim, reused } = await this.openWithin(tx, sampleId, input, person, by);
      if (reused) {
        throw new DomainError('CONFLICT', `sample ${sampleId} already has claim ${claim.id} (${claim.status})`, {
          reason: 'claim_exists',
          claimId: claim.id,
        });
      }
      return claim;
    });
  }

  /** Opens a claim in the caller's transaction, or returns the sample's live one (`reused`). */
  async openWithin(
    tx: Sql,
    sampleId: string,
    input: OpenClaimInput,
    person: string,
    by: AuditActor,
  ): Promise<{ claim: ClaimRow; reused: boolean }> {
    const r = lifecycleRepos(tx);
    // The sample's lock serialises claims on it.
    const { state, row } = await loadForUpdate(r, sampleId);
    if (!state.shipment) {
      throw new DomainError(
        'INVALID_TRANSITION',
        `sample ${sampleId} has no shipment to claim against the carrier for (status "${state.status}")`,
        {
          current: state.status,
          event: 'open_claim',
          allowed: [],
        },
      );
    }
    const claims = new ClaimRepository(tx);
    const live = await claims.liveOfSample(sampleId, LIVE_CLAIM_STATUSES);
    if (live) return { claim: live, reused: true };
    const claim = await claims.insert({
      sampleId,
      exceptionId: input.exceptionId ?? null,
      carrier: row.carrier,
      amountCents: input.amountCents ?? null,
      note: input.note ?? null,
      openedBy: person,
      at: this.now(),
    });
    await new AuditRepository(tx).record(by, {
      action: 'claim.open',
      entityType: 'sample',
      entityId: sampleId,
      detail: {
        claimId: claim.id,
        exceptionId: claim.exceptionId,
        carrier: claim.carrier,
        amountCents: claim.amountCents,
      },
    });
    return { claim, reused: false };
  }

  /** open → submitted → paid / denied; withdrawn until decided (core/domain/sample/claim.ts). */
  update(
    id: number,
    input: { status: ClaimStatus; amountCents?: number; note?: string },
    by: AuditActor,
  ): Promise<ClaimRow> {
    return withTransaction(this.pool, async (tx) => {
      const claims = new ClaimRepository(tx);
      const claim = await claims.get(id, { forUpdate: true });
      if (!claim) throw notFound('claim', String(id));
      checkClaimMove(claim.status, input.status);
      const next = await claims.update(id, { ...input, at: this.now() });
      await new AuditRepository(tx).record(by, {
        action: 'claim.update',
        entityType: 'sample',
        entityId: claim.sampleId,
        detail: {
          claimId: id,
          from: claim.status,
          to: next.status,
          amountCents: next.amountCents,
          note: input.note ?? null,
        },
      });
      return next;
    });
  }
}

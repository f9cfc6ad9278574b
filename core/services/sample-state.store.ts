import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import type { TransitionRow } from '../storage/repositories/sample-transition.repository.ts';
import { notFound } from '../domain/errors.ts';
import type { SampleState, SampleStatus } from '../domain/sample/sample-state.ts';
import { TRIP_OVER_STATUSES } from '../domain/sample/lifecycle.ts';
import { effectiveProfile } from '../domain/condition/profile.ts';
import type { Sql } from '../storage/sql.ts';
import { CreatorRepository } from '../storage/repositories/creator.repository.ts';
import { ProductRepository } from '../storage/repositories/product.repository.ts';
import { SampleRepository, type SampleRow } from '../storage/repositories/sample.repository.ts';
import { SampleTransitionRepository } from '../storage/repositories/sample-transition.repository.ts';
import { SampleConditionRepository } from '../storage/repositories/sample-condition.repository.ts';
import { PolicyRepository } from '../storage/repositories/policy.repository.ts';
import { CampaignRepository } from '../storage/repositories/campaign.repository.ts';

/** The repositories a lifecycle change touches, over one transaction. */
export function lifecycleRepos(sql: Sql) {
  return {
    audit: new AuditRepository(sql),
    samples: new SampleRepository(sql),
    transitions: new SampleTransitionRepository(sql),
    creators: new CreatorRepository(sql),
    products: new ProductRepository(sql),
    conditions: new SampleConditionRepository(sql),
    policies: new PolicyRepository(sql),
    campaigns: new CampaignRepository(sql),
  };
}
export type LifecycleRepos = ReturnType<typeof lifecycleRepos>;

/**
 * Writes each transition to the audit log, in the transaction that made it: caused by
 * `by` (the signed-in caller), or when the platform acted on its own (scheduler, tracker
 * evidence) by the transition's own actor.
 */
export async function auditTransitions(
  r: LifecycleRepos,
  by: AuditActor | undefined,
  rows: readonly TransitionRow[],
): Promise<void> {
  for (const t of rows) {
    await r.audit.record(by ?? systemActor(`${t.actor.kind}:${t.actor.id}`), {
      action: 'sample.transition',
      entityType: 'sample',
      entityId: t.sampleId,
      detail: { event: t.event, from: t.from, to: t.to, actor: t.actor, reason: t.reason, data: t.data },
    });
  }
}

/** Loads and locks a sample with its domain state, for the rest of the transaction. */
export async function loadForUpdate(r: LifecycleRepos, id: string): Promise<{ state: SampleState; row: SampleRow }> {
  const stored = await r.samples.load(id, { forUpdate: true });
  if (!stored) throw notFound('sample', id);
  return { state: stored.state ?? legacyState(stored.row), row: stored.row };
}

/**
 * Samples recorded before the lifecycle was persisted (migration 005) have no state:
 * rebuild the little that is known, so events can still be applied to them.
 */
export function legacyState(row: SampleRow): SampleState {
  const status = row.status as SampleStatus;
  return {
    id: row.id,
    request: {
      creatorId: row.creatorId ?? row.creator,
      campaignId: row.campaign ?? 'unassigned',
      skuId: row.sku,
      quantity: row.quantity,
      source: 'form',
      requestedBy: row.requestedBy ?? 'unknown',
    },
    status,
    statusSince: row.updatedAt.getTime(),
    firstEnteredAt: { requested: row.createdAt.getTime(), [status]: row.updatedAt.getTime() },
    contentClock: { extensionGranted: false, pausedMs: 0 },
    exceptions: [],
  };
}

/**
 * What a transition means for the sample's tracker (issue 10, "a tracker can be reused"):
 * - receipt recorded (a delivery, or a confirmed receipt): its trip ends at receivedAt plus
 *   the effective profile's `tripEndGraceMs`; the condition monitor stops judging and
 *   detaches it then (reason `trip_end`);
 * - the trip is over (a final state, lost, returned): detached now (reason `final_state`).
 * The old sample keeps its readings (SampleRepository.trackerWindows ends at the detachment).
 */
export async function trackerEffects(
  r: LifecycleRepos,
  before: SampleState,
  next: SampleState,
  at: Date,
  by: AuditActor | undefined,
): Promise<void> {
  const receipt = next.delivery && (!before.delivery || next.receiptConfirmedAt !== before.receiptConfirmedAt);
  if (receipt)
    await r.samples.setTripEnd(next.id, new Date(next.delivery!.receivedAt + (await tripEndGraceMs(r, next.id))));
  if (TRIP_OVER_STATUSES.includes(next.status) && !TRIP_OVER_STATUSES.includes(before.status)) {
    const deviceId = await r.samples.detachTracker(next.id, at, 'final_state');
    if (deviceId) {
      await r.audit.record(by ?? systemActor('lifecycle'), {
        action: 'sample.tracker_detach',
        entityType: 'sample',
        entityId: next.id,
        detail: { deviceId, reason: 'final_state', status: next.status },
      });
    }
  }
}

/** The sample's effective profile's grace after receipt; a bad stored profile falls back to the default. */
export async function tripEndGraceMs(r: LifecycleRepos, sampleId: string): Promise<number> {
  const stored = await r.conditions.profiles(sampleId);
  try {
    return effectiveProfile(stored?.productProfile, stored?.sampleProfile).profile.tripEndGraceMs;
  } catch {
    return effectiveProfile(null, null).profile.tripEndGraceMs;
  }
}

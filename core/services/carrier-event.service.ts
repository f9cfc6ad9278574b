import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { DomainError } from '../domain/errors.ts';
import { applyCarrierEvent, carrierEventKey, type CarrierEvent } from '../domain/sample/carrier-event.ts';
import type { Pool } from '../storage/database.ts';
import type { Sql } from '../storage/sql.ts';
import { CarrierEventRepository } from '../storage/repositories/carrier-event.repository.ts';
import type { TransitionRow } from '../storage/repositories/sample-transition.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { auditTransitions, lifecycleRepos, loadForUpdate, trackerEffects } from './sample-state.store.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface CarrierEventOutcome {
  sampleId: string;
  effect: 'transition' | 'no_op' | 'stale';
  transition: TransitionRow | null;
  reason: string | null;
}

/**
 * The carrier webhook: finds the sample by tracking id and drives its lifecycle through
 * `applyCarrierEvent`, which is idempotent (a repeat is `stale`). The raw event is kept
 * under its key in the same transaction.
 */
export class CarrierEventService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.pool = pool;
    this.now = now;
  }

  receive(event: CarrierEvent, raw: unknown, by: AuditActor = systemActor('carrier')): Promise<CarrierEventOutcome> {
    return withTransaction(this.pool, async (tx) => {
      const outcome = await this.applyIn(tx, event, raw, by);
      if (!outcome) {
        throw new DomainError('NOT_FOUND', `no sample has tracking id ${event.trackingId}`, {
          trackingId: event.trackingId,
        });
      }
      return outcome;
    });
  }

  /**
   * The same, inside the caller's transaction (the aggregator webhooks store their own
   * inbox row with it). Undefined when no sample has the tracking id.
   */
  async applyIn(tx: Sql, event: CarrierEvent, raw: unknown, by: AuditActor): Promise<CarrierEventOutcome | undefined> {
    const r = lifecycleRepos(tx);
    const sampleId = await r.samples.idByTrackingId(event.trackingId);
    if (!sampleId) return undefined;
    const { state } = await loadForUpdate(r, sampleId);
    const now = this.now();
    // Recorded now: a carrier event older than what the sample shows is appended as late.
    const result = applyCarrierEvent(state, event, now.getTime());
    let transition: TransitionRow | null = null;
    if (result.effect !== 'stale') await r.samples.saveState(result.next, now);
    if (result.effect === 'transition') {
      transition = await r.transitions.append(result.transition);
      await trackerEffects(r, state, result.next, now, by);
      await auditTransitions(r, by, [transition]);
    }
    await new CarrierEventRepository(tx).insert({
      key: carrierEventKey(event),
      trackingId: event.trackingId,
      sampleId,
      event: event.event,
      at: new Date(event.at),
      effect: result.effect,
      payload: raw,
    });
    return {
      sampleId,
      effect: result.effect,
      transition,
      reason: result.effect === 'transition' ? null : result.reason,
    };
  }
}

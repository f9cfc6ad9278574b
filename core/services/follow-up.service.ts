import { FollowUpRepository, type FollowUpRow } from '../storage/repositories/follow-up.repository.ts';
import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { OutboxRepository, type OutboxRow } from '../storage/repositories/outbox.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

/** What the follow-up automation did and queued, for people and tests to read. */
export class FollowUpService {
  private readonly followUps: FollowUpRepository;
  private readonly outbox: OutboxRepository;
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.followUps = new FollowUpRepository(pool);
    this.outbox = new OutboxRepository(pool);
    this.pool = pool;
    this.now = now;
  }

  ofSample(sampleId: string): Promise<FollowUpRow[]> {
    return this.followUps.ofSample(sampleId);
  }

  messages(filter: { status?: string; sampleId?: string; limit: number; offset: number }): Promise<OutboxRow[]> {
    return this.outbox.list(filter);
  }

  /** Queues a given-up (`failed`) message again, attempts reset; audited. */
  async retryMessage(id: number, by: AuditActor): Promise<OutboxRow> {
    return withTransaction(this.pool, async (tx) => {
      const outbox = new OutboxRepository(tx);
      const before = await outbox.get(id);
      if (!before) throw notFound('outbox message', String(id));
      if (!(await outbox.requeue(id, this.now()))) {
        throw new DomainError('CONFLICT', `outbox message ${id} is ${before.status}; only a failed one is retried`, {
          id,
          status: before.status,
        });
      }
      await new AuditRepository(tx).record(by, {
        action: 'outbox.retry',
        entityType: 'outbox',
        entityId: String(id),
        detail: { attempts: before.attempts, lastError: before.lastError },
      });
      return (await outbox.get(id))!;
    });
  }
}

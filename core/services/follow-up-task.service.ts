import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository, type AuditEntry } from '../storage/repositories/audit.repository.ts';
import {
  FollowUpTaskRepository,
  type FollowUpTaskRow,
  type TaskFilter,
} from '../storage/repositories/follow-up-task.repository.ts';
import { UserRepository } from '../storage/repositories/user.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface TaskPatch {
  /** Assign to this user, or unassign (null). */
  ownerId?: number | null;
  done?: true;
  note?: string;
}

/** Who acts: the signed-in person (done_by) and how the audit names them. */
export interface TaskActor {
  userId: number;
  audit: AuditActor;
}

/**
 * The follow-up work queue: tasks the scheduler opens for follow-ups that need a person
 * (isHumanFollowUp), assigned to a user and completed by the signed-in one. A done task is
 * history: it is neither reassigned nor completed again (409).
 */
export class FollowUpTaskService {
  private readonly tasks: FollowUpTaskRepository;
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.tasks = new FollowUpTaskRepository(pool);
    this.pool = pool;
    this.now = now;
  }

  list(filter: TaskFilter): Promise<FollowUpTaskRow[]> {
    return this.tasks.list(filter);
  }

  async get(id: number): Promise<FollowUpTaskRow> {
    const task = await this.tasks.get(id);
    if (!task) throw notFound('follow-up task', String(id));
    return task;
  }

  async update(id: number, patch: TaskPatch, by: TaskActor): Promise<FollowUpTaskRow> {
    return withTransaction(this.pool, async (tx) => {
      const tasks = new FollowUpTaskRepository(tx);
      const before = await tasks.get(id, { forUpdate: true });
      if (!before) throw notFound('follow-up task', String(id));
      if (before.doneAt)
        throw new DomainError('CONFLICT', `follow-up task ${id} was done at ${before.doneAt}`, {
          id,
          doneAt: before.doneAt,
          doneBy: before.doneBy,
        });
      const audit: AuditEntry[] = [];
      if (patch.ownerId !== undefined && patch.ownerId !== before.ownerId) {
        if (patch.ownerId !== null) {
          const owner = await new UserRepository(tx).get(patch.ownerId);
          if (!owner || owner.disabledAt)
            throw new DomainError('VALIDATION_FAILED', `ownerId: user ${patch.ownerId} does not exist or is disabled`, {
              ownerId: patch.ownerId,
            });
        }
        await tasks.assign(id, patch.ownerId);
        audit.push({
          action: 'follow_up_task.assign',
          entityType: 'follow_up_task',
          entityId: String(id),
          detail: { sampleId: before.sampleId, before: { ownerId: before.ownerId }, after: { ownerId: patch.ownerId } },
        });
      }
      if (patch.done) {
        await tasks.complete(id, by.userId, this.now(), patch.note ?? null);
        audit.push({
          action: 'follow_up_task.complete',
          entityType: 'follow_up_task',
          entityId: String(id),
          detail: { sampleId: before.sampleId, action: before.action, doneBy: by.userId, note: patch.note ?? null },
        });
      }
      await new AuditRepository(tx).record(by.audit, audit);
      return (await tasks.get(id))!;
    });
  }
}

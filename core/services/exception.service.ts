import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { withTransaction } from '../storage/transaction.ts';
import { ExceptionRepository, type ConditionException, type Disposition, type ExceptionStatus } from '../storage/repositories/exception.repository.ts';
import { raiseAlerts } from './alert.service.ts';

export class ExceptionService {
  private readonly exceptions: ExceptionRepository;

  constructor(private readonly pool: Pool, private readonly publicUrl: string, private readonly now: () => Date = () => new Date()) {
    this.exceptions = new ExceptionRepository(pool);
  }

  list(f: { status?: ExceptionStatus[]; sampleId?: string; severity?: string; limit: number; offset: number }): Promise<ConditionException[]> {
    return this.exceptions.list(f);
  }

  byIds(ids: readonly number[]): Promise<ConditionException[]> {
    return this.exceptions.byIds(ids);
  }

  async get(id: number): Promise<ConditionException & { events: Awaited<ReturnType<ExceptionRepository['events']>> }> {
    const e = await this.exceptions.get(id);
    if (!e) throw notFound('exception', String(id));
    return { ...e, events: await this.exceptions.events(id) };
  }

  /** open → acknowledged, recording who took it (`by`: the name shown; `actor`: who is signed in, audited). */
  async acknowledge(id: number, by: string, actor: AuditActor = systemActor('api')): Promise<ConditionException> {
    const done = await withTransaction(this.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      if (!(await repo.acknowledge(id, by, this.now()))) return false;
      await repo.notifyChanged([id]);
      await new AuditRepository(sql).record(actor, { action: 'exception.acknowledge', entityType: 'exception', entityId: String(id), detail: { by } });
      return true;
    });
    if (!done) await this.refuse(id, 'acknowledge', ['open']);
    return (await this.exceptions.get(id))!;
  }

  /** open / acknowledged → resolved with a disposition (accept, reship, write off, claim with carrier). */
  async resolve(id: number, by: string, disposition: Disposition, note?: string, actor: AuditActor = systemActor('api')): Promise<ConditionException> {
    const done = await withTransaction(this.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      if (!(await repo.resolve(id, by, disposition, note ?? null, this.now()))) return false;
      await repo.notifyChanged([id]);
      await raiseAlerts(sql, [{ id, kind: 'resolved' }], this.publicUrl);
      await new AuditRepository(sql).record(actor, {
        action: 'exception.resolve', entityType: 'exception', entityId: String(id), detail: { by, disposition, note: note ?? null },
      });
      return true;
    });
    if (!done) await this.refuse(id, 'resolve', ['open', 'acknowledged']);
    return (await this.exceptions.get(id))!;
  }

  private async refuse(id: number, action: string, allowed: ExceptionStatus[]): Promise<never> {
    const e = await this.exceptions.get(id);
    if (!e) throw notFound('exception', String(id));
    throw new DomainError('INVALID_TRANSITION', `cannot ${action} an exception that is ${e.status}; allowed from: ${allowed.join(', ')}`,
      { current: e.status, allowed });
  }
}

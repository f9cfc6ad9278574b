import { DomainError, notFound } from '../domain/errors.ts';
import type { ConditionException, Disposition, ExceptionRepository, ExceptionStatus } from '../storage/repositories/exception.repository.ts';

export class ExceptionService {
  constructor(private readonly exceptions: ExceptionRepository, private readonly now: () => Date = () => new Date()) {}

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

  /** open → acknowledged, recording who took it. */
  async acknowledge(id: number, by: string): Promise<ConditionException> {
    if (!(await this.exceptions.acknowledge(id, by, this.now()))) await this.refuse(id, 'acknowledge', ['open']);
    await this.exceptions.notifyChanged([id]);
    return (await this.exceptions.get(id))!;
  }

  /** open / acknowledged → resolved with a disposition (accept, reship, write off, claim with carrier). */
  async resolve(id: number, by: string, disposition: Disposition, note?: string): Promise<ConditionException> {
    if (!(await this.exceptions.resolve(id, by, disposition, note ?? null, this.now()))) {
      await this.refuse(id, 'resolve', ['open', 'acknowledged']);
    }
    await this.exceptions.notifyChanged([id]);
    return (await this.exceptions.get(id))!;
  }

  private async refuse(id: number, action: string, allowed: ExceptionStatus[]): Promise<never> {
    const e = await this.exceptions.get(id);
    if (!e) throw notFound('exception', String(id));
    throw new DomainError('INVALID_TRANSITION', `cannot ${action} an exception that is ${e.status}; allowed from: ${allowed.join(', ')}`,
      { current: e.status, allowed });
  }
}

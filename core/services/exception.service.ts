import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { withTransaction } from '../storage/transaction.ts';
import {
  ExceptionRepository,
  type ConditionException,
  type Disposition,
  type ExceptionCounts,
  type ExceptionFilter,
  type ExceptionGroup,
  type ExceptionStatus,
} from '../storage/repositories/exception.repository.ts';
import { raiseAlerts } from './alert.service.ts';
import type { Sql } from '../storage/sql.ts';
import { ClaimService } from './claim.service.ts';
import { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { DEFAULT_PROGRAM_CONFIG } from './sample-program.config.ts';
import { lifecycleRepos, loadForUpdate } from './sample-state.store.ts';
import { EVENTS, RESHIPPABLE } from '../domain/sample/lifecycle-events.ts';
import type { SampleState } from '../domain/sample/sample-state.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

/** What resolving an exception did to its sample (the resolve response says it). */
export type SampleAction =
  | { kind: 'none'; reason: string }
  | { kind: 'damage_resolved'; status: string }
  | {
      kind: 'reship';
      reshipId: string;
      decision: string;
      reused: boolean;
      damageRecorded: boolean;
      originalStatus: string;
    }
  | { kind: 'carrier_claim'; claimId: number; reused: boolean }
  | { kind: 'write_off'; status: string; damageRecorded: boolean };

export interface ResolveInput {
  /** The name recorded on the exception. */
  by: string;
  disposition: Disposition;
  note?: string;
  /** The signed-in person: the actor of every change to the sample. */
  person: string;
}

/** Most ids one bulk request may name: one request stays one short piece of work. */
export const BULK_MAX = 500;

/** What became of one id of a bulk request. */
export type BulkOutcome =
  | { id: number; outcome: 'done' }
  | { id: number; outcome: 'refused'; code: string; reason: string; current?: ExceptionStatus };

export interface BulkResult {
  results: BulkOutcome[];
  done: number;
  refused: number;
}

export class ExceptionService {
  private readonly exceptions: ExceptionRepository;
  private readonly lifecycle: SampleLifecycleService;
  private readonly claims: ClaimService;
  private readonly pool: Pool;
  private readonly publicUrl: string;
  private readonly now: () => Date;

  constructor(deps: ServiceDeps & { publicUrl: string; lifecycle?: SampleLifecycleService; claims?: ClaimService }) {
    const { pool, now = wallClock } = deps;
    this.pool = pool;
    this.publicUrl = deps.publicUrl;
    this.now = now;
    this.exceptions = new ExceptionRepository(pool);
    this.lifecycle = deps.lifecycle ?? new SampleLifecycleService({ pool, now, program: DEFAULT_PROGRAM_CONFIG });
    this.claims = deps.claims ?? new ClaimService({ pool, now });
  }

  /** One page of the inbox, with how many match over all pages. */
  async list(
    f: ExceptionFilter & { limit: number; offset: number },
  ): Promise<{ exceptions: ConditionException[]; counts: ExceptionCounts }> {
    const [exceptions, counts] = await Promise.all([this.exceptions.list(f), this.exceptions.count(f)]);
    return { exceptions, counts };
  }

  /** One page of the inbox grouped by sample, with the number of groups and of exceptions over all pages. */
  async groups(f: ExceptionFilter & { limit: number; offset: number; perGroup: number }): Promise<{
    groups: ExceptionGroup[];
    total: number;
    counts: ExceptionCounts;
  }> {
    const [page, counts] = await Promise.all([this.exceptions.groups(f), this.exceptions.count(f)]);
    return { ...page, counts };
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
      await new AuditRepository(sql).record(actor, {
        action: 'exception.acknowledge',
        entityType: 'exception',
        entityId: String(id),
        detail: { by },
      });
      return true;
    });
    if (!done) await this.refuse(id, 'acknowledge', ['open']);
    return (await this.exceptions.get(id))!;
  }

  /**
   * open / acknowledged → resolved with a disposition, which acts on the sample in the same
   * transaction (a refusal leaves the exception open):
   * - accept: no action; a damage review with no other exception pending is resolved (the
   *   content clock resumes when delivered; back with the carrier otherwise);
   * - reship: the reship is requested through the approval policy (damage recorded first,
   *   by the resolving person, when the sample is not reshippable yet); a live one is reused;
   * - carrier_claim: a claim is opened on the sample (or its live one reused);
   * - write_off: the send is closed as a loss (written_off; damage recorded first if needed).
   */
  async resolve(
    id: number,
    input: ResolveInput,
    actor: AuditActor = systemActor('api'),
  ): Promise<ConditionException & { sampleAction: SampleAction }> {
    const { by, disposition, note } = input;
    const sampleAction = await withTransaction(this.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      if (!(await repo.resolve(id, by, disposition, note ?? null, this.now()))) return undefined;
      const exception = (await repo.get(id))!;
      const action = await this.actOnSample(sql, exception, input, actor);
      await repo.notifyChanged([id]);
      await raiseAlerts(sql, [{ id, kind: 'resolved' }], this.publicUrl);
      await new AuditRepository(sql).record(actor, {
        action: 'exception.resolve',
        entityType: 'exception',
        entityId: String(id),
        detail: { by, disposition, note: note ?? null, sampleId: exception.sampleId, sampleAction: action },
      });
      return action;
    });
    if (!sampleAction) await this.refuse(id, 'resolve', ['open', 'acknowledged']);
    return { ...(await this.exceptions.get(id))!, sampleAction: sampleAction! };
  }

  private async actOnSample(
    sql: Sql,
    e: ConditionException,
    input: ResolveInput,
    actor: AuditActor,
  ): Promise<SampleAction> {
    const person = { kind: 'user' as const, id: input.person };
    const why = `exception #${e.id} (${e.type}) resolved as ${input.disposition}${input.note ? `: ${input.note}` : ''}`;
    const state = async (): Promise<SampleState> => (await loadForUpdate(lifecycleRepos(sql), e.sampleId)).state;
    const apply = (type: 'report_damage' | 'resolve_damage' | 'write_off', data: Record<string, unknown> = {}) =>
      this.lifecycle.applyEventWithin(sql, e.sampleId, { type, actor: person, reason: why, data }, actor);
    // Damage attributed to the resolving person, when the sample's record does not hold it yet.
    const recordDamage = async (s: SampleState): Promise<boolean> => {
      if (!EVENTS.report_damage.from.includes(s.status)) return false;
      await apply('report_damage', { note: why, suspectedCause: 'transit' });
      return true;
    };

    switch (input.disposition) {
      case 'accept': {
        const s = await state();
        if (s.status !== 'damaged') return { kind: 'none', reason: `sample is ${s.status}: nothing to resume` };
        const pending = await new ExceptionRepository(sql).list({
          sampleId: e.sampleId,
          status: ['open', 'acknowledged'],
          limit: 1,
          offset: 0,
        });
        if (pending.length)
          return { kind: 'none', reason: `exception #${pending[0]!.id} on the sample is still pending` };
        const { sample } = await apply('resolve_damage');
        return { kind: 'damage_resolved', status: sample.status };
      }
      case 'reship': {
        const s = await state();
        const repos = lifecycleRepos(sql);
        const existing = s.reshippedAs ?? (await repos.samples.liveReshipOf(e.sampleId));
        if (existing) {
          const reship = (await repos.samples.get(existing))!;
          return {
            kind: 'reship',
            reshipId: existing,
            decision: reship.status,
            reused: true,
            damageRecorded: false,
            originalStatus: s.status,
          };
        }
        const damageRecorded = !(RESHIPPABLE as readonly string[]).includes(s.status) && (await recordDamage(s));
        const result = await this.lifecycle.reshipWithin(sql, e.sampleId, { requestedBy: input.person }, actor);
        const original = (await repos.samples.get(e.sampleId))!;
        return {
          kind: 'reship',
          reshipId: result.sample.id,
          decision: result.decision.decision,
          reused: false,
          damageRecorded,
          originalStatus: original.status,
        };
      }
      case 'carrier_claim': {
        const { claim, reused } = await this.claims.openWithin(
          sql,
          e.sampleId,
          { exceptionId: e.id, ...(input.note ? { note: input.note } : {}) },
          input.person,
          actor,
        );
        return { kind: 'carrier_claim', claimId: claim.id, reused };
      }
      case 'write_off': {
        const s = await state();
        // Another exception of the sample already wrote it off: this one only closes.
        if (s.status === 'written_off') return { kind: 'write_off', status: s.status, damageRecorded: false };
        const damageRecorded = !EVENTS.write_off.from.includes(s.status) && (await recordDamage(s));
        const { sample } = await apply('write_off');
        return { kind: 'write_off', status: sample.status, damageRecorded };
      }
    }
  }

  /**
   * Acknowledges each open exception of `ids` in one transaction, as `by` (the signed-in
   * principal's name), audited per exception and announced once. The others are refused
   * one by one with the reason: not found, or not open any more.
   */
  async acknowledgeMany(ids: readonly number[], by: string, actor: AuditActor): Promise<BulkResult> {
    const wanted = bulkIds(ids);
    const done = await withTransaction(this.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      const acknowledged = await repo.acknowledgeMany(wanted, by, this.now());
      await repo.notifyChanged(acknowledged);
      await new AuditRepository(sql).record(
        actor,
        acknowledged.map((id) => ({
          action: 'exception.acknowledge',
          entityType: 'exception',
          entityId: String(id),
          detail: { by, bulk: true },
        })),
      );
      return new Set(acknowledged);
    });
    const statuses = await this.exceptions.statuses(wanted.filter((id) => !done.has(id)));
    return summarize(
      wanted.map((id) =>
        done.has(id) ? { id, outcome: 'done' } : refusal(id, 'acknowledge', ['open'], statuses.get(id)),
      ),
    );
  }

  /**
   * Resolves each of `ids` with the same disposition through `resolve`, so a disposition
   * does to each sample exactly what the single resolve does. One transaction per id: one
   * that is refused leaves the others done, and each is reported. An unexpected failure
   * (the database gone) ends the request with a 500: those before it stay resolved, and a
   * retry reports them refused as `resolved`, so nothing is resolved twice.
   */
  async resolveMany(
    ids: readonly number[],
    by: string,
    disposition: Disposition,
    note: string | undefined,
    actor: AuditActor,
  ): Promise<BulkResult> {
    const results: BulkOutcome[] = [];
    for (const id of bulkIds(ids)) {
      try {
        await this.resolve(id, { by, disposition, ...(note ? { note } : {}), person: by }, actor);
        results.push({ id, outcome: 'done' });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        results.push({ id, outcome: 'refused', code: err.code, reason: err.message });
      }
    }
    // The exceptions' own statuses, in one query: a refusal by the sample's lifecycle carries the sample's in its details.
    const statuses = await this.exceptions.statuses(results.filter((r) => r.outcome === 'refused').map((r) => r.id));
    return summarize(
      results.map((r) => {
        const current = statuses.get(r.id);
        return r.outcome === 'refused' && current ? { ...r, current } : r;
      }),
    );
  }

  private async refuse(id: number, action: string, allowed: ExceptionStatus[]): Promise<never> {
    const e = await this.exceptions.get(id);
    if (!e) throw notFound('exception', String(id));
    throw new DomainError(
      'INVALID_TRANSITION',
      `cannot ${action} an exception that is ${e.status}; allowed from: ${allowed.join(', ')}`,
      { current: e.status, allowed },
    );
  }
}

/** The ids once each, in the order given; at most BULK_MAX. */
function bulkIds(ids: readonly number[]): number[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > BULK_MAX) {
    throw new DomainError('VALIDATION_FAILED', `name between 1 and ${BULK_MAX} exceptions`, {
      max: BULK_MAX,
      given: unique.length,
    });
  }
  return unique;
}

function refusal(
  id: number,
  action: string,
  allowed: ExceptionStatus[],
  current: ExceptionStatus | undefined,
): BulkOutcome {
  if (current === undefined)
    return { id, outcome: 'refused', code: 'NOT_FOUND', reason: `exception ${id} does not exist` };
  return {
    id,
    outcome: 'refused',
    code: 'INVALID_TRANSITION',
    current,
    reason: `cannot ${action} an exception that is ${current}; allowed from: ${allowed.join(', ')}`,
  };
}

function summarize(results: BulkOutcome[]): BulkResult {
  const done = results.filter((r) => r.outcome === 'done').length;
  return { results, done, refused: results.length - done };
}

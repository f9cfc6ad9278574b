import { creatorRollup, type CreatorRollup } from '../domain/creator-rollup.ts';
import type { AuditActor } from '../domain/auth/principal.ts';
import { mergeCreators } from '../domain/creator-merge.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { OutboxRepository } from '../storage/repositories/outbox.repository.ts';
import {
  CreatorRepository,
  type CreatorFields,
  type CreatorHistory,
  type CreatorRow,
  type SkuHistory,
} from '../storage/repositories/creator.repository.ts';
import { isUniqueViolation, withTransaction } from '../storage/transaction.ts';
import type { PolicySource } from './policy.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export type CreatorInput = Partial<CreatorFields> & { handle: string };

export interface CreatorRecord extends CreatorRow {
  history: CreatorHistory;
  /** What the sends came to, as rates (docs/kpis.md, Creator roll-ups). */
  rollup: CreatorRollup;
  /** Has this creator been sent (or approved to be sent) any sample? */
  alreadySampled: boolean;
  skus: SkuHistory[];
}

const CREATOR_ID = /^CRT-\d{6,}$/;

/** What a merge did, beside the kept record. */
export interface MergeResult {
  creator: CreatorRecord;
  duplicateId: string;
  samplesMoved: number;
}

/** The audit's picture of a creator: contact and addresses are PII, so only which fields and how many. */
const auditView = (c: CreatorFields & { standingReason?: string | null }) => ({
  handle: c.handle,
  otherHandles: c.otherHandles,
  displayName: c.displayName,
  standing: c.standing,
  contactFields: Object.keys(c.contact).sort(),
  addresses: c.addresses.length,
});

export class CreatorService {
  private readonly creators: CreatorRepository;
  private readonly pool: Pool;
  private readonly policy: PolicySource;
  private readonly now: () => Date;

  /** `policy`: "posted on time" is judged by the posting window in force. */
  constructor({ pool, now = wallClock, policy }: ServiceDeps & { policy: PolicySource }) {
    this.creators = new CreatorRepository(pool);
    this.pool = pool;
    this.policy = policy;
    this.now = now;
  }

  /** Creates a creator; the change and its audit row commit together. */
  async create(input: CreatorInput, by: AuditActor): Promise<CreatorRecord> {
    try {
      const row = await withTransaction(this.pool, async (tx) => {
        const created = await new CreatorRepository(tx).insert(withDefaults(input), this.now());
        await new AuditRepository(tx).record(by, {
          action: 'creator.create',
          entityType: 'creator',
          entityId: created.id,
          detail: { after: created },
        });
        return created;
      });
      return this.record(row);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('ALREADY_EXISTS', `creator ${input.handle} exists`, { handle: input.handle });
      throw err;
    }
  }

  /** By id (CRT-000001) or handle. */
  async get(ref: string): Promise<CreatorRecord> {
    return this.record(await this.find(ref));
  }

  list(filter: { standing?: string; q?: string; limit: number; offset: number }): Promise<CreatorRow[]> {
    return this.creators.list(filter);
  }

  /** Changes the given fields; a standing change is timestamped with its reason. */
  async update(
    ref: string,
    patch: Partial<CreatorFields> & { standingReason?: string },
    by: AuditActor,
  ): Promise<CreatorRecord> {
    const current = await this.find(ref);
    const { standingReason, ...fields } = patch;
    const merged: CreatorFields = { ...current, ...fields };
    try {
      const row = await withTransaction(this.pool, async (tx) => {
        const reason = standingReason ?? `changed by ${by.label}`;
        const after = await new CreatorRepository(tx).update(current.id, merged, this.now(), reason);
        await new AuditRepository(tx).record(by, {
          action: 'creator.update',
          entityType: 'creator',
          entityId: current.id,
          detail: {
            before: changedOf(current, patch),
            after: changedOf(after, patch),
            ...(standingReason ? { standingReason } : {}),
          },
        });
        return after;
      });
      return this.record(row);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError('ALREADY_EXISTS', `creator ${merged.handle} exists`, { handle: merged.handle });
      throw err;
    }
  }

  /**
   * Merges a duplicate record into the kept one (`keptRef`: id or handle), in one
   * transaction: the kept record absorbs handles, missing contact fields, new addresses and
   * the stricter standing (mergeCreators); the duplicate's samples and undelivered messages
   * move over; the duplicate is marked merged (its id then answers with the kept record).
   * Refused (409) into itself, or when either side is already merged. Audited on both.
   */
  async merge(keptRef: string, duplicateId: string, by: AuditActor): Promise<MergeResult> {
    const keptId = CREATOR_ID.test(keptRef) ? keptRef : (await this.creators.byHandle(keptRef))?.id;
    if (!keptId) throw notFound('creator', keptRef);
    if (keptId === duplicateId)
      throw new DomainError('CONFLICT', `creator ${keptId} cannot be merged into itself`, { id: keptId });
    const at = this.now();
    const moved = await withTransaction(this.pool, async (tx) => {
      const creators = new CreatorRepository(tx);
      const locked = await creators.lockForMerge([keptId, duplicateId]);
      const kept = locked.find((c) => c.id === keptId);
      const duplicate = locked.find((c) => c.id === duplicateId);
      if (!kept) throw notFound('creator', keptId);
      if (!duplicate) throw notFound('creator', duplicateId);
      for (const c of [kept, duplicate]) {
        if (c.mergedInto)
          throw new DomainError('CONFLICT', `creator ${c.id} was merged into ${c.mergedInto}`, {
            id: c.id,
            mergedInto: c.mergedInto,
          });
      }
      const merged = mergeCreators(kept, duplicate);
      const { contactTaken, addressesTaken, standingReason, ...fields } = merged;
      await creators.update(kept.id, fields, at, standingReason ?? null);
      const samplesMoved = await creators.moveSamples(duplicate.id, kept);
      const messagesMoved = await new OutboxRepository(tx).readdress(`creator:${duplicate.id}`, `creator:${kept.id}`);
      await creators.markMerged(duplicate.id, kept.id, at);
      await new AuditRepository(tx).record(by, [
        {
          action: 'creator.merge',
          entityType: 'creator',
          entityId: kept.id,
          detail: {
            duplicateId: duplicate.id,
            before: auditView(kept),
            after: auditView(fields),
            contactTaken,
            addressesTaken,
            samplesMoved,
            messagesMoved,
          },
        },
        {
          action: 'creator.merged_into',
          entityType: 'creator',
          entityId: duplicate.id,
          detail: { mergedInto: kept.id, before: auditView(duplicate) },
        },
      ]);
      return samplesMoved;
    });
    return { creator: await this.get(keptId), duplicateId, samplesMoved: moved };
  }

  /** "Has this creator already been sampled?", for one SKU or any. */
  async sampled(
    ref: string,
    sku?: string,
  ): Promise<{ creatorId: string; sku: string | null; alreadySampled: boolean; skus: SkuHistory[] }> {
    const creator = await this.find(ref);
    const skus = await this.creators.skuHistory(creator.id, sku);
    return { creatorId: creator.id, sku: sku ?? null, alreadySampled: skus.length > 0, skus };
  }

  private async find(ref: string): Promise<CreatorRow> {
    const row = CREATOR_ID.test(ref) ? await this.creators.get(ref) : await this.creators.byHandle(ref);
    if (!row) throw notFound('creator', ref);
    return row;
  }

  private async record(row: CreatorRow): Promise<CreatorRecord> {
    const { followUp } = await this.policy.inForce();
    const [history, skus] = await Promise.all([
      this.creators.history(row.id, followUp),
      this.creators.skuHistory(row.id),
    ]);
    return { ...row, history, rollup: creatorRollup(history), alreadySampled: skus.length > 0, skus };
  }
}

/** The fields a patch touched, as they were or are: what the audit row keeps. */
function changedOf(row: CreatorRow, patch: object): Record<string, unknown> {
  const keys = Object.keys(patch).filter((k) => k !== 'standingReason');
  return Object.fromEntries(keys.map((k) => [k, (row as unknown as Record<string, unknown>)[k]]));
}

function withDefaults(input: CreatorInput): CreatorFields {
  return {
    handle: input.handle,
    otherHandles: input.otherHandles ?? [],
    displayName: input.displayName ?? null,
    contact: input.contact ?? {},
    addresses: input.addresses ?? [],
    notes: input.notes ?? null,
    standing: input.standing ?? 'active',
  };
}

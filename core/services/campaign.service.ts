import type { AuditActor } from '../domain/auth/principal.ts';
import {
  campaignIssues,
  fieldsOf,
  type CampaignCreate,
  type CampaignFields,
  type CampaignPatch,
} from '../domain/campaign/campaign.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import type { Sql } from '../storage/sql.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import {
  CampaignRepository,
  type CampaignListRow,
  type CampaignRow,
} from '../storage/repositories/campaign.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

/**
 * Campaigns as records (issue 12): what creators are asked to make and under which terms,
 * and the campaign's own patch over the program's policy. The id is the key samples carry,
 * so it is set once and never changes. Every change commits with its audit row.
 */
export class CampaignService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.pool = pool;
    this.now = now;
  }

  async list(filter: { archived: boolean; limit: number; offset: number }): Promise<CampaignListRow[]> {
    return (await new CampaignRepository(this.pool).list(filter)).map(view);
  }

  async get(id: string): Promise<CampaignRow> {
    const row = await new CampaignRepository(this.pool).get(id);
    if (!row) throw notFound('campaign', id);
    return view(row);
  }

  create({ id, ...fields }: CampaignCreate, by: AuditActor): Promise<CampaignRow> {
    return withTransaction(this.pool, async (tx) => {
      await checkFields(tx, fields);
      const row = await new CampaignRepository(tx).insert(id, fields, this.now());
      if (!row) throw new DomainError('ALREADY_EXISTS', `campaign ${id} exists`, { id });
      await new AuditRepository(tx).record(by, {
        action: 'campaign.create',
        entityType: 'campaign',
        entityId: id,
        detail: { after: row },
      });
      return view(row);
    });
  }

  /** Merges the patch over the stored fields; the audit row names only the fields that changed. */
  update(id: string, patch: CampaignPatch, by: AuditActor): Promise<CampaignRow> {
    return withTransaction(this.pool, async (tx) => {
      const campaigns = new CampaignRepository(tx);
      const current = await campaigns.getForUpdate(id);
      if (!current) throw notFound('campaign', id);
      const before = fieldsOf(current);
      const merged: CampaignFields = { ...before, ...patch };
      await checkFields(tx, merged);
      const changed = (Object.keys(merged) as (keyof CampaignFields)[]).filter(
        (k) => JSON.stringify(merged[k]) !== JSON.stringify(before[k]),
      );
      if (!changed.length) return view(current);
      const row = (await campaigns.update(id, merged, this.now()))!;
      const after = fieldsOf(row);
      await new AuditRepository(tx).record(by, {
        action: 'campaign.update',
        entityType: 'campaign',
        entityId: id,
        detail: {
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        },
      });
      return view(row);
    });
  }

  /**
   * Archives a campaign (out of the list and the new-sample choices) or brings it back.
   * Its samples keep it: a sample's campaign is history. Archiving twice changes nothing.
   */
  setArchived(id: string, archived: boolean, by: AuditActor): Promise<CampaignRow> {
    return withTransaction(this.pool, async (tx) => {
      const campaigns = new CampaignRepository(tx);
      const current = await campaigns.getForUpdate(id);
      if (!current) throw notFound('campaign', id);
      if ((current.archivedAt !== null) === archived) return view(current);
      const at = this.now();
      const row = (await campaigns.setArchived(id, archived ? at : null, at))!;
      await new AuditRepository(tx).record(by, {
        action: archived ? 'campaign.archive' : 'campaign.unarchive',
        entityType: 'campaign',
        entityId: id,
        detail: { before: { archivedAt: current.archivedAt }, after: { archivedAt: row.archivedAt } },
      });
      return view(row);
    });
  }
}

/** A row as answered: a record the trigger made (no terms yet) shows every usage-rights field. */
function view<R extends CampaignRow>(row: R): R {
  return { ...row, usageRights: fieldsOf(row).usageRights };
}

/** What the schema cannot check alone: the dates in order once merged, and the SKUs in the catalogue. */
async function checkFields(tx: Sql, f: CampaignFields): Promise<void> {
  const issues = campaignIssues(f);
  if (issues.length)
    throw new DomainError('VALIDATION_FAILED', `invalid campaign: ${issues.map((i) => `${i.path}: ${i.message}`)}`, {
      issues,
    });
  const unknown = await new CampaignRepository(tx).unknownSkus(f.skus);
  if (unknown.length)
    throw new DomainError('VALIDATION_FAILED', `unknown SKU: ${unknown.join(', ')}`, {
      reason: 'unknown_sku',
      skus: unknown,
      issues: [{ path: 'skus', message: `not in the catalogue: ${unknown.join(', ')}` }],
    });
}

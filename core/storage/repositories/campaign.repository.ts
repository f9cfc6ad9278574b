import type { Sql } from '../sql.ts';
import type {
  CampaignBucket,
  CampaignFields,
  Deliverable,
  ExtensionRule,
  UsageRights,
} from '../../domain/campaign/campaign.ts';

// The campaign's vocabulary is the domain's (core/domain/campaign/campaign.ts); named here too for readers of rows.
export {
  CAMPAIGN_BUCKETS,
  DELIVERABLE_KINDS,
  EXTENSION_RULES,
  type CampaignBucket,
  type Deliverable,
  type ExtensionRule,
  type UsageRights,
} from '../../domain/campaign/campaign.ts';

export interface CampaignRow {
  id: string;
  name: string;
  /** YYYY-MM-DD */
  startsOn: string | null;
  endsOn: string | null;
  skus: string[];
  briefMd: string;
  guidelinesMd: string;
  deliverables: Deliverable[];
  /** null: the program's follow-up policy. */
  postingWindowDays: number | null;
  extensionDays: number | null;
  extensionRule: ExtensionRule;
  usageRights: Partial<UsageRights>;
  bucket: CampaignBucket;
  /** A patch over the program's approval policy (program-policy.ts). */
  approvalPolicy: Record<string, unknown>;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CAMPAIGN_COLUMNS = `id, name, to_char(starts_on, 'YYYY-MM-DD') as "startsOn", to_char(ends_on, 'YYYY-MM-DD') as "endsOn",
  skus, brief_md as "briefMd", guidelines_md as "guidelinesMd", deliverables,
  posting_window_days as "postingWindowDays", extension_days as "extensionDays", extension_rule as "extensionRule",
  usage_rights as "usageRights", bucket, approval_policy as "approvalPolicy", archived_at as "archivedAt",
  created_at as "createdAt", updated_at as "updatedAt"`;

/** A campaign in the list, with how far its samples got. */
export interface CampaignListRow extends CampaignRow {
  sampleCounts: { samples: number; sent: number; posted: number };
}

// Column order of insert and update: the fields a person edits.
const FIELD_VALUES = (f: CampaignFields) => [
  f.name,
  f.startsOn,
  f.endsOn,
  f.skus,
  f.briefMd,
  f.guidelinesMd,
  JSON.stringify(f.deliverables),
  f.postingWindowDays,
  f.extensionDays,
  f.extensionRule,
  JSON.stringify(f.usageRights),
  f.bucket,
  JSON.stringify(f.approvalPolicy),
];

/** Campaigns (migration 029). Samples name theirs in `samples.campaign`. */
export class CampaignRepository {
  constructor(private readonly sql: Sql) {}

  async get(id: string): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(`select ${CAMPAIGN_COLUMNS} from campaigns where id = $1`, [id]);
    return rows[0];
  }

  /** The campaign a sample belongs to. */
  async ofSample(sampleId: string): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(
      `select ${CAMPAIGN_COLUMNS} from campaigns where id = (select campaign from samples where id = $1)`,
      [sampleId],
    );
    return rows[0];
  }

  async getForUpdate(id: string): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(
      `select ${CAMPAIGN_COLUMNS} from campaigns where id = $1 for update`,
      [id],
    );
    return rows[0];
  }

  /**
   * Campaigns by name, archived ones only when asked, with their samples counted: all of
   * them, those that left the warehouse, and those whose content was posted.
   */
  async list(filter: { archived: boolean; limit: number; offset: number }): Promise<CampaignListRow[]> {
    const { rows } = await this.sql.query<CampaignListRow>(
      `select ${CAMPAIGN_COLUMNS},
         json_build_object('samples', coalesce(n.samples, 0), 'sent', coalesce(n.sent, 0), 'posted', coalesce(n.posted, 0))
           as "sampleCounts"
       from campaigns c
       left join lateral (
         select count(*)::int as samples,
           (count(*) filter (where s.dispatched_at is not null or s.shipped_at is not null))::int as sent,
           (count(*) filter (where s.published_at is not null))::int as posted
         from samples s where s.campaign = c.id
       ) n on true
       where ($1::boolean or c.archived_at is null)
       order by lower(c.name), c.id limit $2 offset $3`,
      [filter.archived, filter.limit, filter.offset],
    );
    return rows;
  }

  /** Inserts a campaign; undefined when the id exists. */
  async insert(id: string, f: CampaignFields, at: Date): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(
      `insert into campaigns (id, name, starts_on, ends_on, skus, brief_md, guidelines_md, deliverables,
         posting_window_days, extension_days, extension_rule, usage_rights, bucket, approval_policy, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
       on conflict (id) do nothing returning ${CAMPAIGN_COLUMNS}`,
      [id, ...FIELD_VALUES(f), at],
    );
    return rows[0];
  }

  async update(id: string, f: CampaignFields, at: Date): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(
      `update campaigns set name = $2, starts_on = $3, ends_on = $4, skus = $5, brief_md = $6, guidelines_md = $7,
         deliverables = $8, posting_window_days = $9, extension_days = $10, extension_rule = $11, usage_rights = $12,
         bucket = $13, approval_policy = $14, updated_at = $15
       where id = $1 returning ${CAMPAIGN_COLUMNS}`,
      [id, ...FIELD_VALUES(f), at],
    );
    return rows[0];
  }

  /** Archives (at a time) or brings back (null) a campaign; its samples keep it either way. */
  async setArchived(id: string, at: Date | null, now: Date): Promise<CampaignRow | undefined> {
    const { rows } = await this.sql.query<CampaignRow>(
      `update campaigns set archived_at = $2, updated_at = $3 where id = $1 returning ${CAMPAIGN_COLUMNS}`,
      [id, at, now],
    );
    return rows[0];
  }

  /** The SKUs of `skus` the catalogue does not hold. */
  async unknownSkus(skus: readonly string[]): Promise<string[]> {
    if (!skus.length) return [];
    const { rows } = await this.sql.query<{ sku: string }>(
      `select x.sku from unnest($1::text[]) as x(sku) where not exists (select 1 from products p where p.sku = x.sku)`,
      [skus],
    );
    return rows.map((r) => r.sku);
  }
}

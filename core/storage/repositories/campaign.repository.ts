import type { Sql } from '../sql.ts';

export const CAMPAIGN_BUCKETS = ['gifting', 'affiliate', 'paid', 'retainer'] as const;
export type CampaignBucket = (typeof CAMPAIGN_BUCKETS)[number];
export const EXTENSION_RULES = ['none', 'on_request', 'approval'] as const;
export type ExtensionRule = (typeof EXTENSION_RULES)[number];
export const DELIVERABLE_KINDS = ['video', 'live', 'photo', 'story', 'raw_footage'] as const;

export interface Deliverable {
  kind: (typeof DELIVERABLE_KINDS)[number];
  count: number;
  /** A video kept up at least this many days. */
  keepUpDays?: number;
  /** A LIVE of at least this many minutes. */
  minMinutes?: number;
  note?: string;
}

export interface UsageRights {
  organicRepost: boolean;
  paidUsage: boolean;
  whitelisting: boolean;
  /** How long the rights last; null: no end set. */
  durationDays: number | null;
  notes?: string;
}

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
}

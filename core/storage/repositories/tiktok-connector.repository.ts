import type { Sql } from '../sql.ts';

export interface TikTokConnectorRow {
  enabled: boolean;
  appKey: string | null;
  appSecret: string | null;
  accessToken: string | null;
  shopCipher: string | null;
  baseUrl: string;
  defaultCampaign: string;
  skuMap: Record<string, string>;
  writeBack: boolean;
  pollIntervalS: number;
  paused: boolean;
  pausedReason: string | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  cursor: { lastPoll?: Record<string, unknown>; backoffUntil?: string };
  updatedAt: Date;
  updatedBy: string | null;
}

export interface TikTokSettings {
  enabled: boolean;
  appKey: string | null;
  appSecret: string | null;
  accessToken: string | null;
  shopCipher: string | null;
  baseUrl: string;
  defaultCampaign: string;
  skuMap: Record<string, string>;
  writeBack: boolean;
  pollIntervalS: number;
}

export interface TikTokLinkRow {
  applicationId: string;
  sampleId: string | null;
  status: string | null;
  creatorOpenId: string | null;
  trackingNumber: string | null;
  contentIds: string[];
  views: number | null;
  paidOrders: number | null;
  decisionSent: string | null;
  error: string | null;
}

const CONNECTOR = `enabled, app_key as "appKey", app_secret as "appSecret", access_token as "accessToken",
  shop_cipher as "shopCipher", base_url as "baseUrl", default_campaign as "defaultCampaign", sku_map as "skuMap",
  write_back as "writeBack", poll_interval_s as "pollIntervalS", paused, paused_reason as "pausedReason",
  last_success_at as "lastSuccessAt", last_error as "lastError", last_error_at as "lastErrorAt", cursor,
  updated_at as "updatedAt", updated_by as "updatedBy"`;

const link = (t: string) => `${t}.application_id as "applicationId", ${t}.sample_id as "sampleId", ${t}.status,
  ${t}.creator_open_id as "creatorOpenId", ${t}.tracking_number as "trackingNumber", ${t}.content_ids as "contentIds",
  ${t}.views::int as views, ${t}.paid_orders as "paidOrders", ${t}.decision_sent as "decisionSent", ${t}.error`;

/** The connector's single row (migration 031 inserts it) and its links to TikTok applications. */
export class TikTokConnectorRepository {
  constructor(private readonly sql: Sql) {}

  async get(opts: { forUpdate?: boolean } = {}): Promise<TikTokConnectorRow> {
    const { rows } = await this.sql.query<TikTokConnectorRow>(
      `select ${CONNECTOR} from tiktok_connector where id${opts.forUpdate ? ' for update' : ''}`,
    );
    return rows[0]!;
  }

  async saveSettings(s: TikTokSettings, by: string, at: Date): Promise<void> {
    await this.sql.query(
      `update tiktok_connector set enabled = $1, app_key = $2, app_secret = $3, access_token = $4, shop_cipher = $5,
         base_url = $6, default_campaign = $7, sku_map = $8, write_back = $9, poll_interval_s = $10,
         updated_at = $11, updated_by = $12 where id`,
      [
        s.enabled,
        s.appKey,
        s.appSecret,
        s.accessToken,
        s.shopCipher,
        s.baseUrl,
        s.defaultCampaign,
        JSON.stringify(s.skuMap),
        s.writeBack,
        s.pollIntervalS,
        at,
        by,
      ],
    );
  }

  async setPaused(paused: boolean, reason: string | null, at: Date, by: string | null): Promise<void> {
    await this.sql.query(
      `update tiktok_connector set paused = $1, paused_reason = $2, updated_at = $3,
         updated_by = coalesce($4, updated_by) where id`,
      [paused, paused ? reason : null, at, by],
    );
  }

  async recordSuccess(at: Date, lastPoll: Record<string, unknown>): Promise<void> {
    await this.sql.query(
      `update tiktok_connector set last_success_at = $1,
         cursor = (cursor - 'backoffUntil') || jsonb_build_object('lastPoll', $2::jsonb) where id`,
      [at, JSON.stringify(lastPoll)],
    );
  }

  async recordError(at: Date, message: string, cursor: { backoffUntil?: Date } = {}): Promise<void> {
    await this.sql.query(
      `update tiktok_connector set last_error = $1, last_error_at = $2,
         cursor = case when $3::timestamptz is null then cursor - 'backoffUntil'
                       else cursor || jsonb_build_object('backoffUntil', $3::timestamptz) end where id`,
      [message.slice(0, 1000), at, cursor.backoffUntil ?? null],
    );
  }

  async clearError(): Promise<void> {
    await this.sql.query(`update tiktok_connector set last_error = null, last_error_at = null where id`);
  }

  async link(applicationId: string): Promise<TikTokLinkRow | undefined> {
    const { rows } = await this.sql.query<TikTokLinkRow>(
      `select ${link('l')} from tiktok_sample_links l where application_id = $1`,
      [applicationId],
    );
    return rows[0];
  }

  /**
   * Claims an application for a request: inserts its link, or takes over one that has no
   * sample yet (an earlier try could not map it). Undefined when a sample already exists;
   * a concurrent claim waits on the row lock and then finds it.
   */
  async claim(
    applicationId: string,
    f: { status: string; creatorOpenId: string | null; orderId: string | null; trackingNumber: string | null },
    at: Date,
  ): Promise<boolean> {
    const { rows } = await this.sql.query(
      `insert into tiktok_sample_links (application_id, status, creator_open_id, tiktok_order_id, tracking_number, synced_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (application_id) do update set status = excluded.status, synced_at = excluded.synced_at
         where tiktok_sample_links.sample_id is null
       returning application_id`,
      [applicationId, f.status, f.creatorOpenId, f.orderId, f.trackingNumber, at],
    );
    return rows.length > 0;
  }

  async setSample(applicationId: string, sampleId: string): Promise<void> {
    await this.sql.query(`update tiktok_sample_links set sample_id = $2, error = null where application_id = $1`, [
      applicationId,
      sampleId,
    ]);
  }

  /** Records why an application could not become a request (kept for the next poll's retry). */
  async setUnmapped(
    applicationId: string,
    f: { status: string; creatorOpenId: string | null; error: string },
    at: Date,
  ): Promise<void> {
    await this.sql.query(
      `insert into tiktok_sample_links (application_id, status, creator_open_id, error, synced_at)
       values ($1, $2, $3, $4, $5)
       on conflict (application_id) do update set status = excluded.status, error = excluded.error,
         synced_at = excluded.synced_at where tiktok_sample_links.sample_id is null`,
      [applicationId, f.status, f.creatorOpenId, f.error.slice(0, 500), at],
    );
  }

  /** TikTok's view of a known application; a change of nothing writes nothing. */
  async observe(
    applicationId: string,
    f: { status: string; trackingNumber: string | null; orderId: string | null },
    at: Date,
  ): Promise<void> {
    await this.sql.query(
      `update tiktok_sample_links set status = $2, tracking_number = coalesce($3, tracking_number),
         tiktok_order_id = coalesce($4, tiktok_order_id), synced_at = $5
       where application_id = $1 and (status is distinct from $2
         or ($3::text is not null and tracking_number is distinct from $3)
         or ($4::text is not null and tiktok_order_id is distinct from $4))`,
      [applicationId, f.status, f.trackingNumber, f.orderId, at],
    );
  }

  async setContent(
    applicationId: string,
    c: { contentIds: string[]; content: unknown[]; views: number; paidOrders: number },
    at: Date,
  ): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update tiktok_sample_links set content_ids = $2, content = $3, views = $4, paid_orders = $5, synced_at = $6
       where application_id = $1 and (content_ids is distinct from $2 or content is distinct from $3::jsonb)`,
      [applicationId, c.contentIds, JSON.stringify(c.content), c.views, c.paidOrders, at],
    );
    return (rowCount ?? 0) > 0;
  }

  async setDecisionSent(applicationId: string, decision: string, at: Date): Promise<void> {
    await this.sql.query(
      `update tiktok_sample_links set decision_sent = $2, decision_sent_at = $3, error = null where application_id = $1`,
      [applicationId, decision, at],
    );
  }

  async setLinkError(applicationId: string, error: string): Promise<void> {
    await this.sql.query(`update tiktok_sample_links set error = $2 where application_id = $1`, [
      applicationId,
      error.slice(0, 500),
    ]);
  }

  /** Linked samples with what the poll needs of each. */
  async linkedSamples(): Promise<
    (TikTokLinkRow & {
      sampleStatus: string;
      approvedAt: Date | null;
      policyRule: string | null;
      sampleTrackingId: string | null;
    })[]
  > {
    const { rows } = await this.sql.query<
      TikTokLinkRow & {
        sampleStatus: string;
        approvedAt: Date | null;
        policyRule: string | null;
        sampleTrackingId: string | null;
      }
    >(
      `select ${link('l')}, s.status as "sampleStatus",
         s.approved_at as "approvedAt", s.policy_decision->>'rule' as "policyRule", s.tracking_id as "sampleTrackingId"
       from tiktok_sample_links l join samples s on s.id = l.sample_id order by l.application_id`,
    );
    return rows;
  }

  async counts(): Promise<{
    applications: number;
    samples: number;
    unmapped: number;
    posted: number;
    decisionsSent: number;
  }> {
    const { rows } = await this.sql.query<{
      applications: number;
      samples: number;
      unmapped: number;
      posted: number;
      decisionsSent: number;
    }>(
      `select count(*)::int as applications, count(sample_id)::int as samples,
         count(*) filter (where sample_id is null)::int as unmapped,
         count(*) filter (where cardinality(content_ids) > 0)::int as posted,
         count(decision_sent)::int as "decisionsSent"
       from tiktok_sample_links`,
    );
    return rows[0]!;
  }
}

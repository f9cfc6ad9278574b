import type { Sql } from '../sql.ts';

export interface MessageTemplateRow {
  id: number;
  /** null: the program's own template. */
  campaignId: string | null;
  action: string;
  subject: string;
  body: string;
  updatedAt: Date;
  updatedBy: string;
}

const COLUMNS = `id::int as id, campaign_id as "campaignId", action, subject, body, updated_at as "updatedAt", updated_by as "updatedBy"`;

/** Stored templates (migration 029): a campaign's overrides and the program's (campaign null). */
export class MessageTemplateRepository {
  constructor(private readonly sql: Sql) {}

  /** The program's templates and, when given, the campaign's. */
  async forCampaign(campaignId: string | null): Promise<MessageTemplateRow[]> {
    const { rows } = await this.sql.query<MessageTemplateRow>(
      `select ${COLUMNS} from message_templates where campaign_id is null or campaign_id = $1`,
      [campaignId],
    );
    return rows;
  }

  async get(campaignId: string | null, action: string): Promise<MessageTemplateRow | undefined> {
    const { rows } = await this.sql.query<MessageTemplateRow>(
      `select ${COLUMNS} from message_templates where coalesce(campaign_id, '') = coalesce($1, '') and action = $2`,
      [campaignId, action],
    );
    return rows[0];
  }

  async save(t: {
    campaignId: string | null;
    action: string;
    subject: string;
    body: string;
    at: Date;
    by: string;
  }): Promise<MessageTemplateRow> {
    const { rows } = await this.sql.query<MessageTemplateRow>(
      `insert into message_templates (campaign_id, action, subject, body, updated_at, updated_by)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (coalesce(campaign_id, ''), action)
         do update set subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at,
                       updated_by = excluded.updated_by
       returning ${COLUMNS}`,
      [t.campaignId, t.action, t.subject, t.body, t.at, t.by],
    );
    return rows[0]!;
  }

  /** The campaigns a template may be saved for (live ones), for the editor's picker. */
  async campaigns(): Promise<{ id: string; name: string }[]> {
    const { rows } = await this.sql.query<{ id: string; name: string }>(
      `select id, name from campaigns where archived_at is null order by lower(name), id limit 1000`,
    );
    return rows;
  }

  /** Removes an override; the one it removed, if any. */
  async delete(campaignId: string | null, action: string): Promise<MessageTemplateRow | undefined> {
    const { rows } = await this.sql.query<MessageTemplateRow>(
      `delete from message_templates where coalesce(campaign_id, '') = coalesce($1, '') and action = $2
       returning ${COLUMNS}`,
      [campaignId, action],
    );
    return rows[0];
  }
}

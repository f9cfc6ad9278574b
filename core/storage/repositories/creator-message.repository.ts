import type { Sql } from '../sql.ts';

export type CreatorMessageStatus = 'queued' | 'sent' | 'failed' | 'bounced';
export type CreatorMessageChannel = 'email' | 'dm';

export interface CreatorMessageRow {
  id: number;
  key: string;
  sampleId: string;
  creatorId: string | null;
  action: string;
  channel: CreatorMessageChannel;
  /** The email address or the DM handle (PII: shown to the roles that see contacts). */
  recipient: string;
  subject: string;
  body: string;
  linkId: string | null;
  status: CreatorMessageStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  providerId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  sentBy: string | null;
}

const COLUMNS = `id::int as id, key, sample_id as "sampleId", creator_id as "creatorId", action, channel, recipient,
  subject, body, link_id as "linkId", status, attempts, next_attempt_at as "nextAttemptAt", last_error as "lastError",
  provider_id as "providerId", created_at as "createdAt", sent_at as "sentAt", sent_by as "sentBy"`;

/** What a message about one sample is rendered from: the sample, its creator and product. */
export interface MessageSubject {
  sampleId: string;
  status: string;
  campaign: string | null;
  creatorId: string | null;
  handle: string;
  displayName: string | null;
  contact: { email?: string; dm?: string };
  sku: string;
  productName: string | null;
  variant: string | null;
  quantity: number;
  carrier: string | null;
  trackingId: string | null;
  receivedAt: Date | null;
}

/** Messages to creators (migration 029) and their delivery. */
export class CreatorMessageRepository {
  constructor(private readonly sql: Sql) {}

  async subject(sampleId: string): Promise<MessageSubject | undefined> {
    const { rows } = await this.sql.query<MessageSubject>(
      `select s.id as "sampleId", s.status, s.campaign, s.creator_id as "creatorId", coalesce(c.handle, s.creator) as handle,
         c.display_name as "displayName", coalesce(c.contact, '{}') as contact, s.sku, p.name as "productName",
         coalesce(s.variant, p.variant) as variant, s.quantity, s.carrier, s.tracking_id as "trackingId",
         s.received_at as "receivedAt"
       from samples s left join creators c on c.id = s.creator_id left join products p on p.sku = s.sku
       where s.id = $1`,
      [sampleId],
    );
    return rows[0];
  }

  /** Records a message; undefined when its key was recorded before (the follow-up fired already). */
  async insert(m: {
    key: string;
    sampleId: string;
    creatorId: string | null;
    action: string;
    channel: CreatorMessageChannel;
    recipient: string;
    subject: string;
    body: string;
    linkId: string | null;
    at: Date;
  }): Promise<CreatorMessageRow | undefined> {
    const { rows } = await this.sql.query<CreatorMessageRow>(
      `insert into creator_messages (key, sample_id, creator_id, action, channel, recipient, subject, body, link_id,
         created_at, next_attempt_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) on conflict (key) do nothing returning ${COLUMNS}`,
      [m.key, m.sampleId, m.creatorId, m.action, m.channel, m.recipient, m.subject, m.body, m.linkId, m.at],
    );
    return rows[0];
  }

  async get(id: number, opts: { forUpdate?: boolean } = {}): Promise<CreatorMessageRow | undefined> {
    const { rows } = await this.sql.query<CreatorMessageRow>(
      `select ${COLUMNS} from creator_messages where id = $1${opts.forUpdate ? ' for update' : ''}`,
      [id],
    );
    return rows[0];
  }

  async ofSample(sampleId: string): Promise<CreatorMessageRow[]> {
    const { rows } = await this.sql.query<CreatorMessageRow>(
      `select ${COLUMNS} from creator_messages where sample_id = $1 order by created_at, id`,
      [sampleId],
    );
    return rows;
  }

  async list(f: { status?: string; channel?: string; limit: number; offset: number }): Promise<CreatorMessageRow[]> {
    const { rows } = await this.sql.query<CreatorMessageRow>(
      `select ${COLUMNS} from creator_messages where ($1::text is null or status = $1) and ($2::text is null or channel = $2)
       order by created_at, id limit $3 offset $4`,
      [f.status ?? null, f.channel ?? null, f.limit, f.offset],
    );
    return rows;
  }

  /**
   * Claims due queued emails: each is leased (its next attempt moved `leaseMs` ahead) so a
   * concurrent sender skips it and a sender that dies mid-send leaves it to be retried.
   */
  async claimDueEmails(now: Date, leaseMs: number, limit: number): Promise<CreatorMessageRow[]> {
    const { rows } = await this.sql.query<CreatorMessageRow>(
      `update creator_messages set next_attempt_at = $1 + make_interval(secs => $2 / 1000.0)
       where id in (select id from creator_messages where status = 'queued' and channel = 'email' and next_attempt_at <= $1
                    order by next_attempt_at, id limit $3 for update skip locked)
       returning ${COLUMNS}`,
      [now, leaseMs, limit],
    );
    return rows;
  }

  /** Sent: by the SMTP server's acceptance (email, sentBy null) or by a person (dm). */
  async markSent(id: number, at: Date, o: { providerId?: string; sentBy?: string }): Promise<void> {
    await this.sql.query(
      `update creator_messages set status = 'sent', sent_at = $2, provider_id = $3, sent_by = $4, last_error = null,
         attempts = attempts + 1 where id = $1`,
      [id, at, o.providerId ?? null, o.sentBy ?? null],
    );
  }

  /** A failed attempt: retry at `retryAt`, or end in `status` (failed, bounced) when null. */
  async markAttemptFailed(
    id: number,
    error: string,
    next: { retryAt: Date } | { status: 'failed' | 'bounced' },
  ): Promise<void> {
    await this.sql.query(
      `update creator_messages set attempts = attempts + 1, last_error = $2, status = $3,
         next_attempt_at = coalesce($4, next_attempt_at) where id = $1`,
      [id, error.slice(0, 1000), 'status' in next ? next.status : 'queued', 'retryAt' in next ? next.retryAt : null],
    );
  }

  /** Queues a failed or bounced email again, attempts reset; false unless it was one. */
  async requeue(id: number, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update creator_messages set status = 'queued', attempts = 0, next_attempt_at = $2
       where id = $1 and channel = 'email' and status in ('failed', 'bounced')`,
      [id, at],
    );
    return rowCount === 1;
  }
}

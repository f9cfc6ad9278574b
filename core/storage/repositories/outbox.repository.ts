import type { Sql } from '../sql.ts';

export interface OutboxRow {
  id: number;
  idempotencyKey: string;
  kind: string;
  recipient: string;
  sampleId: string | null;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

const COLUMNS = `id, idempotency_key as "idempotencyKey", kind, recipient, sample_id as "sampleId", payload, status, attempts,
  next_attempt_at as "nextAttemptAt", last_error as "lastError", created_at as "createdAt", delivered_at as "deliveredAt"`;

/** Outgoing messages, written in the transaction that decided to send them. */
export class OutboxRepository {
  constructor(private readonly sql: Sql) {}

  /** Enqueues a message; false when its idempotency key was enqueued before. */
  async enqueue(m: {
    idempotencyKey: string;
    kind: string;
    recipient: string;
    sampleId: string | null;
    payload: unknown;
    at: Date;
  }): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `insert into outbox (idempotency_key, kind, recipient, sample_id, payload, created_at, next_attempt_at)
       values ($1, $2, $3, $4, $5, $6, $6) on conflict (idempotency_key) do nothing`,
      [m.idempotencyKey, m.kind, m.recipient, m.sampleId, JSON.stringify(m.payload), m.at],
    );
    return rowCount === 1;
  }

  async list(filter: { status?: string; sampleId?: string; limit: number; offset: number }): Promise<OutboxRow[]> {
    const { rows } = await this.sql.query<OutboxRow>(
      `select ${COLUMNS} from outbox where ($1::text is null or status = $1) and ($2::text is null or sample_id = $2)
       order by id limit $3 offset $4`,
      [filter.status ?? null, filter.sampleId ?? null, filter.limit, filter.offset],
    );
    return rows;
  }

  /**
   * Messages not yet delivered to one recipient go to another (a merged creator's go to the
   * kept record, whose contact is the current one). Delivered ones stay as they were sent.
   */
  async readdress(from: string, to: string): Promise<number> {
    const { rowCount } = await this.sql.query(
      `update outbox set recipient = $2 where recipient = $1 and status <> 'delivered'`,
      [from, to],
    );
    return rowCount ?? 0;
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    const { rows } = await this.sql.query<OutboxRow>(`select ${COLUMNS} from outbox where id = $1`, [id]);
    return rows[0];
  }

  /**
   * Claims due pending messages for delivery: each is leased (its next attempt moved
   * `leaseMs` ahead) so a concurrent deliverer skips it, and a deliverer that dies mid-send
   * leaves it to be retried when the lease runs out: at least once, never lost. A message
   * to a creator carries the creator's current contact, looked up here so the outbox never
   * holds PII.
   */
  async claimDue(
    now: Date,
    leaseMs: number,
    limit: number,
  ): Promise<(OutboxRow & { contact: Record<string, unknown> | null })[]> {
    const { rows } = await this.sql.query<OutboxRow & { contact: Record<string, unknown> | null }>(
      `update outbox set next_attempt_at = $1 + make_interval(secs => $2 / 1000.0)
       where id in (select id from outbox where status = 'pending' and next_attempt_at <= $1
                    order by next_attempt_at, id limit $3 for update skip locked)
       returning ${COLUMNS}, (select c.contact from creators c where 'creator:' || c.id = outbox.recipient) as contact`,
      [now, leaseMs, limit],
    );
    return rows;
  }

  /** Puts a given-up message back in the queue (a person decided to try again); false unless it had failed. */
  async requeue(id: number, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update outbox set status = 'pending', attempts = 0, next_attempt_at = $2 where id = $1 and status = 'failed'`,
      [id, at],
    );
    return rowCount === 1;
  }

  async markDelivered(id: number, at: Date): Promise<void> {
    await this.sql.query(
      `update outbox set status = 'delivered', delivered_at = $2, attempts = attempts + 1, last_error = null where id = $1`,
      [id, at],
    );
  }

  /** A failed attempt: retry at `retryAt`, or give up (`failed`) when null. */
  async markFailed(id: number, error: string, retryAt: Date | null): Promise<void> {
    await this.sql.query(
      `update outbox set attempts = attempts + 1, last_error = $2,
         status = case when $3::timestamptz is null then 'failed' else 'pending' end,
         next_attempt_at = coalesce($3, next_attempt_at) where id = $1`,
      [id, error.slice(0, 1000), retryAt],
    );
  }
}

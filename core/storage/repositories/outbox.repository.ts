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
  async enqueue(m: { idempotencyKey: string; kind: string; recipient: string; sampleId: string | null; payload: unknown; at: Date }): Promise<boolean> {
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

  /** Claims due pending messages for delivery; a concurrent deliverer skips the claimed ones. */
  async claimDue(now: Date, limit: number): Promise<OutboxRow[]> {
    const { rows } = await this.sql.query<OutboxRow>(
      `select ${COLUMNS} from outbox where status = 'pending' and next_attempt_at <= $1
       order by next_attempt_at, id limit $2 for update skip locked`,
      [now, limit],
    );
    return rows;
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

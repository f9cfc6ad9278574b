import type { AlertFacts, AlertKind, AlertMessage } from '../../domain/alerts/alert-message.ts';
import { ALERT_CHANNEL, type Alert } from '../../events.ts';
import type { Sql } from '../sql.ts';

export type { Alert } from '../../events.ts';

export interface WebhookSubscription {
  id: number;
  url: string;
  eventKinds: string[];
  minSeverity: 'info' | 'warning' | 'critical';
  active: boolean;
  description: string | null;
  createdAt: string;
}

export interface DueDelivery {
  id: number;
  alertId: number;
  idempotencyKey: string;
  attempts: number;
  url: string;
  secret: string;
  payload: Record<string, unknown>;
}

const ALERT_COLUMNS = `a.id, a.exception_id as "exceptionId", a.kind, a.severity, a.sample_id as "sampleId", a.title, a.body,
  a.link, to_json(a.created_at)#>>'{}' as "createdAt", to_json(a.read_at)#>>'{}' as "readAt", a.read_by as "readBy"`;
const SUB_COLUMNS = `id, url, event_kinds as "eventKinds", min_severity as "minSeverity", active, description,
  to_json(created_at)#>>'{}' as "createdAt"`;

export class AlertRepository {
  constructor(private readonly sql: Sql) {}

  /** What an alert about this exception needs to say. */
  async facts(exceptionId: number): Promise<Omit<AlertFacts, 'kind'> | undefined> {
    const { rows } = await this.sql.query<Omit<AlertFacts, 'kind'>>(
      `select e.id as "exceptionId", e.type, e.severity, e.peak, e.limit_value as "limit", e.duration_ms as "durationMs",
         (extract(epoch from e.started_at) * 1000)::float8 as "startedAt",
         (extract(epoch from e.ended_at) * 1000)::float8 as "endedAt", e.stage, e.lat, e.lon,
         e.sample_id as "sampleId", s.creator, s.sku, e.disposition, e.resolved_by as "resolvedBy", e.repeat_count as "repeatCount",
         e.ended_by as "endedBy"
       from condition_exceptions e join samples s on s.id = e.sample_id where e.id = $1`,
      [exceptionId],
    );
    const r = rows[0];
    return r && { ...r, durationMs: Number(r.durationMs) };
  }

  /** Inserts the alert once per (exception, kind); returns its id, or undefined when it existed. */
  async insert(
    exceptionId: number,
    kind: AlertKind,
    severity: string,
    sampleId: string,
    m: AlertMessage,
  ): Promise<number | undefined> {
    const { rows } = await this.sql.query<{ id: number }>(
      `insert into alerts (exception_id, kind, severity, sample_id, title, body, link) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (exception_id, kind) do nothing returning id`,
      [exceptionId, kind, severity, sampleId, m.title, m.body, m.link],
    );
    return rows[0]?.id;
  }

  async activeSubscriptions(): Promise<(WebhookSubscription & { secret: string })[]> {
    const { rows } = await this.sql.query<WebhookSubscription & { secret: string }>(
      `select ${SUB_COLUMNS}, secret from webhook_subscriptions where active`,
    );
    return rows;
  }

  async enqueueDelivery(alertId: number, subscriptionId: number): Promise<void> {
    await this.sql.query(
      `insert into webhook_deliveries (alert_id, subscription_id, idempotency_key) values ($1, $2, $3)
       on conflict (idempotency_key) do nothing`,
      [alertId, subscriptionId, `alert-${alertId}-sub-${subscriptionId}`],
    );
  }

  async list(q: { unreadOnly: boolean; sampleId?: string; limit: number; offset: number }): Promise<Alert[]> {
    const { rows } = await this.sql.query<Alert>(
      `select ${ALERT_COLUMNS} from alerts a where (not $1 or a.read_at is null) and ($4::text is null or a.sample_id = $4)
       order by a.id desc limit $2 offset $3`,
      [q.unreadOnly, q.limit, q.offset, q.sampleId ?? null],
    );
    return rows;
  }

  async byIds(ids: readonly number[]): Promise<Alert[]> {
    const { rows } = await this.sql.query<Alert>(
      `select ${ALERT_COLUMNS} from alerts a where a.id = any($1) order by a.id`,
      [ids],
    );
    return rows;
  }

  async markRead(id: number, by: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update alerts set read_at = coalesce(read_at, $3), read_by = coalesce(read_by, $2) where id = $1',
      [id, by, at],
    );
    return rowCount === 1;
  }

  async notifyCreated(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.sql.query('select pg_notify($1, $2)', [ALERT_CHANNEL, ids.join(',')]);
  }

  async createSubscription(s: {
    url: string;
    secret: string;
    eventKinds?: string[];
    minSeverity?: string;
    description?: string;
  }): Promise<WebhookSubscription> {
    const { rows } = await this.sql.query<WebhookSubscription>(
      `insert into webhook_subscriptions (url, secret, event_kinds, min_severity, description)
       values ($1, $2, coalesce($3, array['opened', 'escalated', 'ended', 'resolved', 'retracted']), coalesce($4, 'warning'), $5)
       returning ${SUB_COLUMNS}`,
      [s.url, s.secret, s.eventKinds ?? null, s.minSeverity ?? null, s.description ?? null],
    );
    return rows[0]!;
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    const { rows } = await this.sql.query<WebhookSubscription>(
      `select ${SUB_COLUMNS} from webhook_subscriptions order by id`,
    );
    return rows;
  }

  async deactivateSubscription(id: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update webhook_subscriptions set active = false where id = $1 and active',
      [id],
    );
    return rowCount === 1;
  }

  /**
   * Claims due deliveries for one attempt: moves their next attempt forward by a lease so
   * another dispatcher (or a crash and restart) does not send the same one meanwhile.
   * SKIP LOCKED lets several dispatchers share the table.
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<DueDelivery[]> {
    const { rows } = await this.sql.query<DueDelivery>(
      `with due as (
         select d.id from webhook_deliveries d
         where d.status = 'pending' and d.next_attempt_at <= $1
         order by d.next_attempt_at, d.id limit $3 for update skip locked)
       update webhook_deliveries d set next_attempt_at = $1 + make_interval(secs => $2 / 1000.0)
       from due, alerts a, webhook_subscriptions s
       where d.id = due.id and a.id = d.alert_id and s.id = d.subscription_id
       returning d.id, d.alert_id as "alertId", d.idempotency_key as "idempotencyKey", d.attempts, s.url, s.secret,
         json_build_object('id', a.id, 'kind', a.kind, 'severity', a.severity, 'exceptionId', a.exception_id,
           'sampleId', a.sample_id, 'title', a.title, 'body', a.body, 'link', a.link, 'createdAt', a.created_at) as payload`,
      [now, leaseMs, limit],
    );
    return rows;
  }

  async delivered(id: number, status: number, at: Date): Promise<void> {
    await this.sql.query(
      `update webhook_deliveries set status = 'delivered', attempts = attempts + 1, last_status = $2, delivered_at = $3,
         last_error = null where id = $1`,
      [id, status, at],
    );
  }

  async failed(id: number, error: string, status: number | null, nextAttemptAt: Date, dead: boolean): Promise<void> {
    await this.sql.query(
      `update webhook_deliveries set attempts = attempts + 1, last_error = $2, last_status = $3, next_attempt_at = $4,
         status = case when $5 then 'dead' else status end where id = $1`,
      [id, error.slice(0, 500), status, nextAttemptAt, dead],
    );
  }

  async backlog(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from webhook_deliveries where status = 'pending'`,
    );
    return rows[0]?.n ?? 0;
  }
}

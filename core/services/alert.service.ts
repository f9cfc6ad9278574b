import { randomBytes } from 'node:crypto';
import { alertMessage, subscriptionMatches } from '../domain/alerts/alert-message.ts';
import { notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import type { Sql } from '../storage/sql.ts';
import { AlertRepository, type Alert, type WebhookSubscription } from '../storage/repositories/alert.repository.ts';
import { ExceptionRepository, type ExceptionEvent } from '../storage/repositories/exception.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { AuditActor } from '../domain/auth/principal.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import type { ServiceDeps } from './deps.ts';
import { fanOutNotices } from './notification-fanout.ts';

/**
 * Raises alerts inside the caller's transaction: one inbox row per (exception, kind) and
 * one durable delivery per matching webhook subscription. The exception change, its alert
 * and its deliveries commit together or not at all.
 */
export async function raiseAlerts(sql: Sql, events: readonly ExceptionEvent[], publicUrl: string): Promise<number[]> {
  if (events.length === 0) return [];
  const repo = new AlertRepository(sql);
  const subs = await repo.activeSubscriptions();
  const created: number[] = [];
  for (const ev of events) {
    const facts = await repo.facts(ev.id);
    if (!facts) continue;
    // "info" exceptions (a box opened at the destination) are evidence, not alarms.
    if (facts.severity === 'info' && ev.kind !== 'resolved') continue;
    // An instantaneous event (a shock) starts and ends at once: its opening notice says it all.
    if (ev.kind === 'ended' && facts.endedAt === facts.startedAt) continue;
    const alertId = await repo.insert(
      ev.id,
      ev.kind,
      facts.severity,
      facts.sampleId,
      alertMessage({ ...facts, kind: ev.kind }, publicUrl),
    );
    if (alertId === undefined) continue;
    created.push(alertId);
    for (const s of subs)
      if (subscriptionMatches(s, { kind: ev.kind, severity: facts.severity }))
        await repo.enqueueDelivery(alertId, s.id);
    // People's own channels hear of an opening at tier 1; later tiers come from NotificationService.escalate.
    if (ev.kind === 'opened') await fanOutNotices(sql, { alertId, facts, tiers: [1, 1], publicUrl, now: new Date() });
  }
  await repo.notifyCreated(created);
  return created;
}

export interface AlertingConfig {
  /** Dashboard base URL, for the link in every alert. */
  publicUrl: string;
  /** An unacknowledged critical exception escalates after this long. */
  escalateAfterMs: number;
  now?: () => Date;
}

export class AlertService {
  private readonly pool: Pool;
  private readonly o: AlertingConfig;
  private readonly alerts: AlertRepository;

  constructor({ pool, now, alerting }: ServiceDeps & { alerting: AlertingConfig }) {
    this.pool = pool;
    this.o = { ...alerting, ...(now ? { now } : {}) };
    this.alerts = new AlertRepository(pool);
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  list(q: { unreadOnly: boolean; sampleId?: string; limit: number; offset: number }): Promise<Alert[]> {
    return this.alerts.list(q);
  }

  byIds(ids: readonly number[]): Promise<Alert[]> {
    return this.alerts.byIds(ids);
  }

  async markRead(id: number, by: string): Promise<Alert> {
    if (!(await this.alerts.markRead(id, by, this.now()))) throw notFound('alert', String(id));
    return (await this.alerts.byIds([id]))[0]!;
  }

  /** A new subscription (audited, never with its secret); its signing secret is returned this once. */
  async subscribe(
    s: {
      url: string;
      eventKinds?: string[];
      minSeverity?: string;
      description?: string;
    },
    by: AuditActor,
  ): Promise<WebhookSubscription & { secret: string }> {
    const secret = randomBytes(24).toString('base64url');
    return withTransaction(this.pool, async (tx) => {
      const created = await new AlertRepository(tx).createSubscription({ ...s, secret });
      await new AuditRepository(tx).record(by, {
        action: 'webhook_subscription.create',
        entityType: 'webhook_subscription',
        entityId: String(created.id),
        detail: { after: created },
      });
      return { ...created, secret };
    });
  }

  subscriptions(): Promise<WebhookSubscription[]> {
    return this.alerts.listSubscriptions();
  }

  async unsubscribe(id: number, by: AuditActor): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      if (!(await new AlertRepository(tx).deactivateSubscription(id)))
        throw notFound('webhook subscription', String(id));
      await new AuditRepository(tx).record(by, {
        action: 'webhook_subscription.deactivate',
        entityType: 'webhook_subscription',
        entityId: String(id),
      });
    });
  }

  /** Critical exceptions nobody acknowledged in time escalate, once each. */
  async escalate(): Promise<number[]> {
    const now = this.now();
    return withTransaction(this.pool, async (sql) => {
      const ids = await new ExceptionRepository(sql).escalateUnacknowledged(
        new Date(now.getTime() - this.o.escalateAfterMs),
        now,
      );
      await new ExceptionRepository(sql).notifyChanged(ids);
      return raiseAlerts(
        sql,
        ids.map((id) => ({ id, kind: 'escalated' as const })),
        this.o.publicUrl,
      );
    });
  }

  backlog(): Promise<number> {
    return this.alerts.backlog();
  }
}

import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { highestDueTier } from '../domain/notifications/escalation.ts';
import { maskTarget, type Notice } from '../domain/notifications/notice.ts';
import { validTimeZone } from '../domain/notifications/timing.ts';
import type { Pool } from '../storage/database.ts';
import { AlertRepository } from '../storage/repositories/alert.repository.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import {
  NotificationRepository,
  type ChannelKind,
  type ChannelRow,
  type NotificationRow,
  type SubscriptionInput,
  type SubscriptionRow,
} from '../storage/repositories/notification.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { ServiceDeps } from './deps.ts';
import { fanOutNotices } from './notification-fanout.ts';

/** Sends one notice on one channel now; throws when it did not go (workers/notification-delivery.ts). */
export interface NoticeSender {
  sendNow(kind: ChannelKind, target: string, notice: Pick<Notice, 'title' | 'text' | 'link'>): Promise<void>;
}

export type Channel = Omit<ChannelRow, 'target'> & { target: string };

type Who = NonNullable<AuditActor['person']>;

const forbidden = (msg: string) => new DomainError('FORBIDDEN', msg);
const MAX_TIER = 9;

/**
 * Notifications people choose: their channels (email, Slack, Teams), their subscriptions
 * (what, when, at which tier), the escalation ladder, and the delivery record. A person
 * manages their own; an admin anyone's and the teams'.
 */
export class NotificationService {
  private readonly repo: NotificationRepository;
  private sender: NoticeSender | undefined;

  constructor(private readonly d: ServiceDeps & { publicUrl: string; escalateAfterMs: number }) {
    this.repo = new NotificationRepository(d.pool);
  }

  private get pool(): Pool {
    return this.d.pool;
  }

  /** The delivery worker, when it runs: "send a test" needs it. */
  attachSender(sender: NoticeSender | undefined): void {
    this.sender = sender;
  }

  /**
   * The escalation ladder: for every critical exception still open, the tiers due by `now`
   * (tier n after (n-1) × ALERT_ESCALATE_AFTER_MIN) get their notice, once each.
   * Returns how many notices it wrote.
   */
  async escalate(now: Date = this.d.now?.() ?? new Date()): Promise<number> {
    const open = await this.repo.unacknowledgedCriticals();
    let written = 0;
    for (const o of open) {
      const top = Math.min(MAX_TIER, highestDueTier(o.openedAt, now, this.d.escalateAfterMs));
      if (top < 2) continue;
      written += await withTransaction(this.pool, async (tx) => {
        const facts = await new AlertRepository(tx).facts(o.exceptionId);
        if (!facts) return 0;
        return fanOutNotices(tx, { alertId: o.alertId, facts, tiers: [2, top], publicUrl: this.d.publicUrl, now });
      });
    }
    return written;
  }

  // --- channels ---

  async channels(who: Who): Promise<Channel[]> {
    const rows = await this.repo.channels(who.role === 'admin' ? undefined : who.userId);
    return rows.map(masked);
  }

  /** A new channel; the only answer that shows a webhook URL in full. */
  async createChannel(
    c: { kind: ChannelKind; name: string; target: string; team?: string | null },
    by: AuditActor,
  ): Promise<Channel> {
    const who = person(by);
    const admin = who.role === 'admin';
    if (c.team && !admin) throw forbidden('only an admin sets up a team channel');
    if (c.kind === 'teams' && !admin) throw forbidden('only an admin sets up a Teams channel');
    if (c.kind === 'email') {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.target))
        throw new DomainError('VALIDATION_FAILED', 'an email channel needs an email address');
      // A person's own email channel goes to their own address: nobody signs someone else up.
      if (!admin && c.target.toLowerCase() !== who.email.toLowerCase())
        throw forbidden('your email channel goes to your own address');
    } else if (!/^https?:\/\//.test(c.target))
      throw new DomainError('VALIDATION_FAILED', 'a Slack or Teams channel needs its incoming webhook URL');
    return withTransaction(this.pool, async (tx) => {
      const created = await new NotificationRepository(tx).createChannel({
        kind: c.kind,
        name: c.name,
        target: c.target,
        team: c.team ?? null,
        ownerUserId: c.team ? null : who.userId,
        createdBy: by.label,
      });
      await new AuditRepository(tx).record(by, {
        action: 'notification_channel.create',
        entityType: 'notification_channel',
        entityId: String(created.id),
        detail: { after: masked(created) },
      });
      return created;
    });
  }

  private async ownChannel(id: number, who: Who): Promise<ChannelRow> {
    const c = await this.repo.channel(id);
    if (!c || (who.role !== 'admin' && c.ownerUserId !== who.userId))
      throw notFound('notification channel', String(id));
    return c;
  }

  async updateChannel(id: number, p: { name?: string; enabled?: boolean }, by: AuditActor): Promise<Channel> {
    const before = await this.ownChannel(id, person(by));
    return withTransaction(this.pool, async (tx) => {
      const after = (await new NotificationRepository(tx).updateChannel(id, p))!;
      await new AuditRepository(tx).record(by, {
        action: 'notification_channel.update',
        entityType: 'notification_channel',
        entityId: String(id),
        detail: { before: masked(before), after: masked(after) },
      });
      return masked(after);
    });
  }

  async removeChannel(id: number, by: AuditActor): Promise<void> {
    await this.ownChannel(id, person(by));
    await withTransaction(this.pool, async (tx) => {
      await new NotificationRepository(tx).removeChannel(id);
      await new AuditRepository(tx).record(by, {
        action: 'notification_channel.remove',
        entityType: 'notification_channel',
        entityId: String(id),
      });
    });
  }

  /** "Send a test": one notice on the channel now, through the running delivery worker. */
  async testChannel(id: number, by: AuditActor): Promise<{ ok: boolean; error: string | null }> {
    const c = await this.ownChannel(id, person(by));
    if (!this.sender) throw new DomainError('CONFLICT', 'notification delivery is not running');
    const link = `${this.d.publicUrl.replace(/\/$/, '')}/settings/notifications`;
    const notice = {
      title: 'Sampletrack test notice',
      text: `A test from ${by.label}: notices for this channel (${c.name}) arrive like this one.`,
      link,
    };
    const outcome = await this.sender.sendNow(c.kind, c.target, notice).then(
      () => ({ ok: true, error: null }),
      (e: Error) => ({ ok: false, error: e.message }),
    );
    await new AuditRepository(this.pool).record(by, {
      action: 'notification_channel.test',
      entityType: 'notification_channel',
      entityId: String(id),
      detail: outcome,
    });
    return outcome;
  }

  // --- subscriptions ---

  subscriptions(who: Who): Promise<SubscriptionRow[]> {
    return this.repo.subscriptions(who.role === 'admin' ? undefined : who.userId);
  }

  private async checked(s: Partial<SubscriptionInput> & { channelId: number }, who: Who): Promise<SubscriptionInput> {
    const admin = who.role === 'admin';
    if (!admin && (s.team || (s.userId !== undefined && s.userId !== null && s.userId !== who.userId)))
      throw forbidden("only an admin manages a team's or another person's subscriptions");
    const team = s.team ?? null;
    const userId = team ? (s.userId ?? null) : (s.userId ?? who.userId);
    await this.ownChannel(s.channelId, who);
    const tz = s.tz ?? 'UTC';
    if (!validTimeZone(tz)) throw new DomainError('VALIDATION_FAILED', `unknown time zone ${tz}`, { tz });
    if (((s.quietStart ?? null) === null) !== ((s.quietEnd ?? null) === null))
      throw new DomainError('VALIDATION_FAILED', 'quiet hours need both a start and an end');
    return {
      userId,
      team,
      channelId: s.channelId,
      minSeverity: s.minSeverity ?? 'warning',
      exceptionTypes: s.exceptionTypes ?? [],
      campaigns: s.campaigns ?? [],
      stages: s.stages ?? [],
      digest: s.digest ?? 'none',
      quietStart: s.quietStart ?? null,
      quietEnd: s.quietEnd ?? null,
      tz,
      escalationTier: s.escalationTier ?? 1,
    };
  }

  async createSubscription(
    s: Partial<SubscriptionInput> & { channelId: number },
    by: AuditActor,
  ): Promise<SubscriptionRow> {
    const input = await this.checked(s, person(by));
    return withTransaction(this.pool, async (tx) => {
      const created = await new NotificationRepository(tx).createSubscription(input);
      await new AuditRepository(tx).record(by, {
        action: 'notification_subscription.create',
        entityType: 'notification_subscription',
        entityId: String(created.id),
        detail: { after: created },
      });
      return created;
    });
  }

  private async ownSubscription(id: number, who: Who): Promise<SubscriptionRow> {
    const s = await this.repo.subscription(id);
    if (!s || (who.role !== 'admin' && s.userId !== who.userId))
      throw notFound('notification subscription', String(id));
    return s;
  }

  async updateSubscription(
    id: number,
    s: Partial<SubscriptionInput> & { channelId: number },
    by: AuditActor,
  ): Promise<SubscriptionRow> {
    const before = await this.ownSubscription(id, person(by));
    const input = await this.checked({ userId: before.userId, team: before.team, ...s }, person(by));
    return withTransaction(this.pool, async (tx) => {
      const after = await new NotificationRepository(tx).updateSubscription(id, input);
      if (!after) throw notFound('notification subscription', String(id));
      await new AuditRepository(tx).record(by, {
        action: 'notification_subscription.update',
        entityType: 'notification_subscription',
        entityId: String(id),
        detail: { before, after },
      });
      return after;
    });
  }

  async removeSubscription(id: number, by: AuditActor): Promise<void> {
    await this.ownSubscription(id, person(by));
    await withTransaction(this.pool, async (tx) => {
      if (!(await new NotificationRepository(tx).removeSubscription(id)))
        throw notFound('notification subscription', String(id));
      await new AuditRepository(tx).record(by, {
        action: 'notification_subscription.remove',
        entityType: 'notification_subscription',
        entityId: String(id),
      });
    });
  }

  // --- delivery record ---

  list(who: Who, q: { status?: string; limit: number }): Promise<NotificationRow[]> {
    return this.repo.list({ ...q, ...(who.role === 'admin' ? {} : { userId: who.userId }) });
  }
}

function masked(c: ChannelRow): Channel {
  return { ...c, target: maskTarget(c.kind, c.target) };
}

function person(by: AuditActor): Who {
  if (!by.person) throw new DomainError('FORBIDDEN', 'notification settings belong to a person');
  return by.person;
}

import type { Notice } from '../../domain/notifications/notice.ts';
import type { Sql } from '../sql.ts';

export type ChannelKind = 'email' | 'slack' | 'teams';

export interface ChannelRow {
  id: number;
  kind: ChannelKind;
  name: string;
  target: string;
  team: string | null;
  ownerUserId: number | null;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
}

export interface SubscriptionRow {
  id: number;
  userId: number | null;
  team: string | null;
  channelId: number;
  minSeverity: 'info' | 'warning' | 'critical';
  exceptionTypes: string[];
  campaigns: string[];
  stages: string[];
  digest: 'none' | 'hourly' | 'daily';
  quietStart: string | null;
  quietEnd: string | null;
  tz: string;
  escalationTier: number;
  createdAt: string;
}

export interface NotificationRow {
  id: number;
  alertId: number;
  exceptionId: number;
  subscriptionId: number;
  channelId: number;
  channelName: string;
  kind: ChannelKind;
  tier: number;
  status: 'queued' | 'held' | 'sent' | 'failed';
  heldFor: 'quiet' | 'digest' | null;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  title: string;
  createdAt: string;
  sentAt: string | null;
}

export interface DueNotification {
  id: number;
  subscriptionId: number;
  kind: ChannelKind;
  target: string;
  heldFor: 'quiet' | 'digest' | null;
  attempts: number;
  payload: Notice;
}

const iso = (c: string) => `to_json(${c})#>>'{}'`;
const CHANNEL = `c.id, c.kind, c.name, c.target, c.team, c.owner_user_id as "ownerUserId", c.enabled,
  c.created_by as "createdBy", ${iso('c.created_at')} as "createdAt"`;
const SUB = `s.id, s.user_id as "userId", s.team, s.channel_id as "channelId", s.min_severity as "minSeverity",
  s.exception_types as "exceptionTypes", s.campaigns, s.stages, s.digest, to_char(s.quiet_start, 'HH24:MI') as "quietStart",
  to_char(s.quiet_end, 'HH24:MI') as "quietEnd", s.tz, s.escalation_tier as "escalationTier", ${iso('s.created_at')} as "createdAt"`;
const NOTE = `n.id, n.alert_id as "alertId", n.exception_id as "exceptionId", n.subscription_id as "subscriptionId",
  n.channel_id as "channelId", c.name as "channelName", n.kind, n.tier, n.status, n.held_for as "heldFor", n.attempts,
  ${iso('n.next_attempt_at')} as "nextAttemptAt", n.last_error as "lastError", n.payload->>'title' as title,
  ${iso('n.created_at')} as "createdAt", ${iso('n.sent_at')} as "sentAt"`;

export type SubscriptionInput = Omit<SubscriptionRow, 'id' | 'createdAt'>;

export class NotificationRepository {
  constructor(private readonly sql: Sql) {}

  // --- fan-out and escalation ---

  /** Subscriptions at tiers `tiers[0]..tiers[1]` whose channel is enabled, with the channel's kind. */
  async activeSubscriptions(tiers: [number, number]): Promise<(SubscriptionRow & { kind: ChannelKind })[]> {
    const { rows } = await this.sql.query<SubscriptionRow & { kind: ChannelKind }>(
      `select ${SUB}, c.kind from notification_subscriptions s join notification_channels c on c.id = s.channel_id
       where s.active and c.enabled and s.escalation_tier between $1 and $2`,
      tiers,
    );
    return rows;
  }

  async campaignOf(sampleId: string): Promise<string | null> {
    const { rows } = await this.sql.query<{ campaign: string | null }>('select campaign from samples where id = $1', [
      sampleId,
    ]);
    return rows[0]?.campaign ?? null;
  }

  /** One notice per (alert, subscription, tier); false when it was there already. A queued one is due now. */
  async enqueue(n: {
    alertId: number;
    exceptionId: number;
    subscriptionId: number;
    channelId: number;
    kind: ChannelKind;
    tier: number;
    status: 'queued' | 'held';
    heldFor: 'quiet' | 'digest' | null;
    at: Date;
    payload: Notice;
  }): Promise<boolean> {
    const { rows } = await this.sql.query(
      `insert into notifications (alert_id, exception_id, subscription_id, channel_id, kind, tier, status, held_for, next_attempt_at, payload)
       values ($1, $2, $3, $4, $5, $6, $7, $8, case when $7 = 'queued' then now() else $9 end, $10) on conflict (alert_id, subscription_id, tier) do nothing returning id`,
      [n.alertId, n.exceptionId, n.subscriptionId, n.channelId, n.kind, n.tier, n.status, n.heldFor, n.at, n.payload],
    );
    return rows.length === 1;
  }

  /** Critical exceptions still open (nobody acknowledged or resolved them) with their opening alert. */
  async unacknowledgedCriticals(): Promise<{ alertId: number; exceptionId: number; openedAt: Date }[]> {
    const { rows } = await this.sql.query<{ alertId: number; exceptionId: number; openedAt: Date }>(
      `select a.id as "alertId", a.exception_id as "exceptionId", a.created_at as "openedAt"
       from alerts a join condition_exceptions e on e.id = a.exception_id
       where a.kind = 'opened' and e.severity = 'critical' and e.status = 'open'`,
    );
    return rows.map((r) => ({ ...r, alertId: Number(r.alertId), exceptionId: Number(r.exceptionId) }));
  }

  // --- delivery ---

  /**
   * Claims due notices for one attempt, moving them a lease ahead (SKIP LOCKED: several
   * workers may share). Notices held for a digest only with `digests`: the process that
   * leads digests claims them, so one subscription's digest is never split between two.
   */
  async claimDue(now: Date, leaseMs: number, limit: number, digests = true): Promise<DueNotification[]> {
    const { rows } = await this.sql.query<DueNotification>(
      `with due as (
         select n.id from notifications n where n.status in ('queued', 'held') and n.next_attempt_at <= $1
           and ($4 or n.held_for is distinct from 'digest')
         order by n.next_attempt_at limit $3 for update skip locked
       )
       update notifications n set next_attempt_at = $1::timestamptz + make_interval(secs => $2::float8 / 1000)
       from due, notification_channels c where n.id = due.id and c.id = n.channel_id
       returning n.id, n.subscription_id as "subscriptionId", n.kind, c.target, n.held_for as "heldFor", n.attempts, n.payload`,
      [now, leaseMs, limit, digests],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), subscriptionId: Number(r.subscriptionId) }));
  }

  async markSent(ids: readonly number[], at: Date): Promise<void> {
    await this.sql.query(
      `update notifications set status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = null where id = any($1)`,
      [ids, at],
    );
  }

  async markFailed(ids: readonly number[], error: string, next: Date, dead: boolean): Promise<void> {
    await this.sql.query(
      `update notifications set attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
         status = case when $4 then 'failed' else 'queued' end where id = any($1)`,
      [ids, error.slice(0, 500), next, dead],
    );
  }

  async list(q: { userId?: number; status?: string; limit: number }): Promise<NotificationRow[]> {
    const { rows } = await this.sql.query<NotificationRow>(
      `select ${NOTE} from notifications n join notification_channels c on c.id = n.channel_id
       join notification_subscriptions s on s.id = n.subscription_id
       where ($1::bigint is null or s.user_id = $1) and ($2::text is null or n.status = $2)
       order by n.id desc limit $3`,
      [q.userId ?? null, q.status ?? null, q.limit],
    );
    return rows;
  }

  // --- channels ---

  async createChannel(c: Omit<ChannelRow, 'id' | 'createdAt' | 'enabled'>): Promise<ChannelRow> {
    const { rows } = await this.sql.query<ChannelRow>(
      `with c as (insert into notification_channels (kind, name, target, team, owner_user_id, created_by)
       values ($1, $2, $3, $4, $5, $6) returning *) select ${CHANNEL} from c`,
      [c.kind, c.name, c.target, c.team, c.ownerUserId, c.createdBy],
    );
    return rows[0]!;
  }

  async channels(ownerUserId?: number): Promise<ChannelRow[]> {
    const { rows } = await this.sql.query<ChannelRow>(
      `select ${CHANNEL} from notification_channels c where $1::bigint is null or c.owner_user_id = $1 order by c.id`,
      [ownerUserId ?? null],
    );
    return rows;
  }

  async channel(id: number): Promise<ChannelRow | undefined> {
    const { rows } = await this.sql.query<ChannelRow>(
      `select ${CHANNEL} from notification_channels c where c.id = $1`,
      [id],
    );
    return rows[0];
  }

  async updateChannel(id: number, p: { name?: string; enabled?: boolean }): Promise<ChannelRow | undefined> {
    const { rows } = await this.sql.query<ChannelRow>(
      `with c as (update notification_channels set name = coalesce($2, name), enabled = coalesce($3, enabled)
       where id = $1 returning *) select ${CHANNEL} from c`,
      [id, p.name ?? null, p.enabled ?? null],
    );
    return rows[0];
  }

  /** A channel with notices on record is kept (their history names it): it is disabled, its subscriptions stopped. */
  async removeChannel(id: number): Promise<void> {
    await this.sql.query('update notification_subscriptions set active = false where channel_id = $1', [id]);
    await this.sql.query('update notification_channels set enabled = false where id = $1', [id]);
  }

  // --- subscriptions ---

  async createSubscription(s: SubscriptionInput): Promise<SubscriptionRow> {
    const { rows } = await this.sql.query<SubscriptionRow>(
      `with s as (insert into notification_subscriptions (user_id, team, channel_id, min_severity, exception_types, campaigns,
         stages, digest, quiet_start, quiet_end, tz, escalation_tier)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning *) select ${SUB} from s`,
      [
        s.userId,
        s.team,
        s.channelId,
        s.minSeverity,
        s.exceptionTypes,
        s.campaigns,
        s.stages,
        s.digest,
        s.quietStart,
        s.quietEnd,
        s.tz,
        s.escalationTier,
      ],
    );
    return rows[0]!;
  }

  async subscriptions(userId?: number): Promise<SubscriptionRow[]> {
    const { rows } = await this.sql.query<SubscriptionRow>(
      `select ${SUB} from notification_subscriptions s where s.active and ($1::bigint is null or s.user_id = $1) order by s.id`,
      [userId ?? null],
    );
    return rows;
  }

  async subscription(id: number): Promise<SubscriptionRow | undefined> {
    const { rows } = await this.sql.query<SubscriptionRow>(
      `select ${SUB} from notification_subscriptions s where s.active and s.id = $1`,
      [id],
    );
    return rows[0];
  }

  async updateSubscription(id: number, s: SubscriptionInput): Promise<SubscriptionRow | undefined> {
    const { rows } = await this.sql.query<SubscriptionRow>(
      `with s as (update notification_subscriptions set user_id = $2, team = $3, channel_id = $4, min_severity = $5,
         exception_types = $6, campaigns = $7, stages = $8, digest = $9, quiet_start = $10, quiet_end = $11, tz = $12,
         escalation_tier = $13 where id = $1 and active returning *) select ${SUB} from s`,
      [
        id,
        s.userId,
        s.team,
        s.channelId,
        s.minSeverity,
        s.exceptionTypes,
        s.campaigns,
        s.stages,
        s.digest,
        s.quietStart,
        s.quietEnd,
        s.tz,
        s.escalationTier,
      ],
    );
    return rows[0];
  }

  /** Stopped, not deleted: its notices stay on record. */
  async removeSubscription(id: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update notification_subscriptions set active = false where id = $1 and active',
      [id],
    );
    return rowCount === 1;
  }
}

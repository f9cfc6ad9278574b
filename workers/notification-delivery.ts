import nodemailer, { type Transporter } from 'nodemailer';
import { retryDelayMs } from '../core/domain/alerts/alert-message.ts';
import { digestOf, emailOf, slackOf, teamsOf, type Notice } from '../core/domain/notifications/notice.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { NoticeSender } from '../core/services/notification.service.ts';
import type { Pool } from '../core/storage/database.ts';
import {
  NotificationRepository,
  type ChannelKind,
  type DueNotification,
} from '../core/storage/repositories/notification.repository.ts';
import { transportOptions } from './email-delivery.ts';
import { PollLoop } from './signed-webhook.ts';

export interface NotificationDeliveryOptions {
  pool: Pool;
  log: Logger;
  /** SMTP_URL; without it email notices fail (and say why), Slack and Teams still go. */
  smtpUrl?: string;
  from: string;
  /** After this many failed attempts a notice is `failed` (kept, visible, not retried). */
  maxAttempts: number;
  /** First retry after this; doubles per failed attempt up to 10 minutes. */
  retryBaseMs: number;
  leaseMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Asked each pass: does this process send digests now (it leads `digests`)? Default yes. */
  digests?: () => boolean;
}

type Content = Pick<Notice, 'title' | 'text' | 'link'>;

/**
 * Sends due notices from the `notifications` outbox: email over SMTP, Slack and Teams to
 * their incoming webhooks. State lives in each row (attempts, next attempt, last error), so
 * a restart picks up where the last process stopped. Notices held for a digest that come
 * due together for one subscription go out as one message.
 */
export class NotificationDelivery implements NoticeSender {
  private readonly repo: NotificationRepository;
  private readonly loop: PollLoop;
  private readonly transport: Transporter | undefined;

  constructor(private readonly o: NotificationDeliveryOptions) {
    this.repo = new NotificationRepository(o.pool);
    this.loop = new PollLoop(() => this.runOnce(), o.log, 'notification delivery');
    this.transport = o.smtpUrl ? nodemailer.createTransport(transportOptions(o.smtpUrl)) : undefined;
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport?.close();
  }

  /** One pass: claims what is due and attempts each message once. Returns how many notices it attempted. */
  async runOnce(now = new Date()): Promise<number> {
    const due = await this.repo.claimDue(now, this.o.leaseMs ?? 60_000, 50, this.o.digests?.() ?? true);
    const digests = new Map<number, DueNotification[]>();
    const single: DueNotification[][] = [];
    for (const d of due) {
      if (d.heldFor !== 'digest') single.push([d]);
      else digests.set(d.subscriptionId, [...(digests.get(d.subscriptionId) ?? []), d]);
    }
    await Promise.all([...single, ...digests.values()].map((group) => this.attempt(group)));
    return due.length;
  }

  private async attempt(group: DueNotification[]): Promise<void> {
    const first = group[0]!;
    const ids = group.map((d) => d.id);
    try {
      await this.sendNow(
        first.kind,
        first.target,
        group.length === 1 ? first.payload : digestOf(group.map((d) => d.payload)),
      );
      await this.repo.markSent(ids, new Date());
    } catch (err) {
      const attempts = Math.max(...group.map((d) => d.attempts)) + 1;
      const dead = attempts >= this.o.maxAttempts;
      const next = new Date(Date.now() + retryDelayMs(attempts, this.o.retryBaseMs));
      await this.repo.markFailed(ids, (err as Error).message, next, dead);
      this.o.log.warn(
        { notices: ids, kind: first.kind, attempts, dead, err: (err as Error).message },
        'notice not sent',
      );
    }
  }

  /** Sends one message now; throws with the reason when it did not go. */
  async sendNow(kind: ChannelKind, target: string, n: Content): Promise<void> {
    if (kind === 'email') {
      if (!this.transport) throw new Error('SMTP_URL is not set: email notices cannot be sent');
      const m = emailOf(n);
      await this.transport.sendMail({ from: this.o.from, to: target, subject: m.subject, text: m.text });
      return;
    }
    await this.post(target, kind === 'slack' ? slackOf(n) : teamsOf(n));
  }

  private async post(url: string, body: unknown): Promise<void> {
    const res = await (this.o.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'sampletrack-notifications/1' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    // The URL is a secret: the error names the status, never the address.
    if (!res.ok) throw new Error(`the webhook answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}

/**
 * Started by platform/steps.ts startWorkers; "send a test" goes through it. Returns its stop.
 * With `loop: false` (an `api` process without the jobs role) it only sends those tests.
 */
export function startNotificationDelivery(
  env: {
    SMTP_URL?: string | undefined;
    SMTP_FROM: string;
    WEBHOOK_MAX_ATTEMPTS: number;
    WEBHOOK_RETRY_BASE_MS: number;
    WEBHOOK_POLL_MS: number;
  },
  pool: Pool,
  log: Logger,
  services?: { notifications: { attachSender(s: NoticeSender | undefined): void } },
  o: { loop?: boolean; digests?: () => boolean } = {},
): () => Promise<void> {
  const delivery = new NotificationDelivery({
    pool,
    log: log.child({ part: 'notifications' }),
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    from: env.SMTP_FROM,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    ...(o.digests ? { digests: o.digests } : {}),
  });
  if (o.loop !== false) delivery.start(env.WEBHOOK_POLL_MS);
  services?.notifications.attachSender(delivery);
  return async () => {
    services?.notifications.attachSender(undefined);
    await delivery.stop();
  };
}

import nodemailer, { type Transporter } from 'nodemailer';
import { retryDelayMs } from '../core/domain/alerts/alert-message.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Pool } from '../core/storage/database.ts';
import {
  CreatorMessageRepository,
  type CreatorMessageRow,
} from '../core/storage/repositories/creator-message.repository.ts';
import { PollLoop } from './signed-webhook.ts';

export interface EmailDeliveryOptions {
  pool: Pool;
  log: Logger;
  /** SMTP_URL: smtp://user:pass@host:port or smtps://… */
  smtpUrl: string;
  /** SMTP_FROM, e.g. `Glow Labs <samples@glow.example>`. */
  from: string;
  /** SMTP_MAX_ATTEMPTS: after this many temporary failures a message is `failed`. */
  maxAttempts: number;
  /** First retry after this; doubles per failed attempt up to 10 minutes. */
  retryBaseMs: number;
  /** A claimed message is not claimed again for this long (covers a crash mid-send). */
  leaseMs?: number;
}

/** What nodemailer's errors carry of the SMTP server's answer. */
interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
}

/**
 * Sends the creators' queued emails over SMTP. State lives in the creator_messages row, so
 * a restart picks up where the last process stopped. A permanent refusal (5xx: no such
 * mailbox) is `bounced` at once with the server's reply; a temporary one (4xx) or a
 * connection error is retried with back-off until SMTP_MAX_ATTEMPTS, then `failed`.
 */
export class EmailDelivery {
  private readonly repo: CreatorMessageRepository;
  private readonly loop: PollLoop;
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly o: EmailDeliveryOptions) {
    this.repo = new CreatorMessageRepository(o.pool);
    this.loop = new PollLoop(() => this.runOnce(), o.log, 'email delivery');
    this.transport = nodemailer.createTransport(transportOptions(o.smtpUrl));
    this.domain = /@([^>\s]+)/.exec(o.from)?.[1] ?? 'localhost';
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }

  /** One pass: claims what is due and attempts each once. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const due = await this.repo.claimDueEmails(new Date(), this.o.leaseMs ?? 60_000, 20);
    await Promise.all(due.map((m) => this.attempt(m)));
    return due.length;
  }

  private async attempt(m: CreatorMessageRow): Promise<void> {
    const attempts = m.attempts + 1;
    try {
      const info = (await this.transport.sendMail({
        from: this.o.from,
        to: m.recipient,
        subject: m.subject,
        text: m.body,
        // One Message-ID per message across attempts: a receiver can tell a repeat.
        messageId: `<creator-message-${m.id}@${this.domain}>`,
      })) as { messageId?: string };
      await this.repo.markSent(m.id, new Date(), { providerId: info.messageId ?? `<creator-message-${m.id}>` });
    } catch (err) {
      const e = err as SmtpError;
      const reply = e.response ?? e.message;
      if (e.responseCode !== undefined && e.responseCode >= 500) {
        await this.repo.markAttemptFailed(m.id, reply, { status: 'bounced' });
        this.o.log.warn({ message: m.id, code: e.responseCode }, 'creator email bounced');
        return;
      }
      const giveUp = attempts >= this.o.maxAttempts;
      await this.repo.markAttemptFailed(
        m.id,
        reply,
        giveUp ? { status: 'failed' } : { retryAt: new Date(Date.now() + retryDelayMs(attempts, this.o.retryBaseMs)) },
      );
      this.o.log.warn({ message: m.id, attempts, giveUp, code: e.responseCode }, 'creator email not sent');
    }
  }
}

/**
 * The transport of SMTP_URL. Plain smtp:// to a loopback host (a local relay, the tests'
 * server) is used as is, without STARTTLS; anywhere else nodemailer upgrades when offered.
 */
export function transportOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(!secure && loopback ? { ignoreTLS: true } : {}),
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
}

import { retryDelayMs } from '../core/domain/alerts/alert-message.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Pool } from '../core/storage/database.ts';
import { OutboxRepository, type OutboxRow } from '../core/storage/repositories/outbox.repository.ts';
import { PollLoop, postSigned } from './signed-webhook.ts';

export interface OutboxDeliveryOptions {
  pool: Pool;
  log: Logger;
  /** Where every message is POSTed (OUTBOX_WEBHOOK_URL); a relay to email, DM or a CRM. */
  url: string;
  /** Signs each body (OUTBOX_WEBHOOK_SECRET), as the alert webhooks are signed. */
  secret: string;
  /** First retry after this; doubles per failed attempt up to 10 minutes. */
  retryBaseMs: number;
  /** After this many failed attempts a message is `failed` (kept, visible in GET /api/outbox, not retried). */
  maxAttempts: number;
  /** A claimed message is not claimed again for this long (covers a crash mid-send). */
  leaseMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The JSON body a receiver gets; `id` is also the Idempotency-Key header. */
export interface OutboxWebhookBody {
  id: string;
  kind: string;
  recipient: string;
  /** The creator's current contact for `creator:<id>` recipients; null otherwise. */
  contact: Record<string, unknown> | null;
  sampleId: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * The follow-up outbox's delivery adapter: POSTs each due message to one webhook, signed,
 * under the message's own idempotency key (the follow-up key, stable across attempts and
 * restarts), so a receiver dedupes repeats. State lives in the outbox row, so a restart
 * picks up where the last process stopped; delivery is at least once.
 */
export class OutboxDelivery {
  private readonly repo: OutboxRepository;
  private readonly loop: PollLoop;

  constructor(private readonly o: OutboxDeliveryOptions) {
    this.repo = new OutboxRepository(o.pool);
    this.loop = new PollLoop(() => this.runOnce(), o.log, 'outbox delivery');
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: claims what is due and attempts each once. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const due = await this.repo.claimDue(new Date(), this.o.leaseMs ?? 60_000, 50);
    await Promise.all(due.map((m) => this.attempt(m)));
    return due.length;
  }

  private async attempt(m: OutboxRow & { contact: Record<string, unknown> | null }): Promise<void> {
    const body: OutboxWebhookBody = {
      id: m.idempotencyKey,
      kind: m.kind,
      recipient: m.recipient,
      contact: m.contact,
      sampleId: m.sampleId,
      payload: m.payload,
      createdAt: m.createdAt.toISOString(),
    };
    const attempts = m.attempts + 1;
    const outcome = await postSigned({
      url: this.o.url,
      secret: this.o.secret,
      body: JSON.stringify(body),
      idempotencyKey: m.idempotencyKey,
      attempt: attempts,
      userAgent: 'sampletrack-outbox/1',
      ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
    });
    if (outcome.ok) {
      await this.repo.markDelivered(m.id, new Date());
      return;
    }
    const giveUp = attempts >= this.o.maxAttempts;
    await this.repo.markFailed(
      m.id,
      outcome.error,
      giveUp ? null : new Date(Date.now() + retryDelayMs(attempts, this.o.retryBaseMs)),
    );
    this.o.log.warn({ message: m.id, kind: m.kind, attempts, giveUp, err: outcome.error }, 'outbox delivery failed');
  }
}

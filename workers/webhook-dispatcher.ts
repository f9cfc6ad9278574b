import { retryDelayMs } from '../core/domain/alerts/alert-message.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Pool } from '../core/storage/database.ts';
import { AlertRepository, type DueDelivery } from '../core/storage/repositories/alert.repository.ts';
import { PollLoop, postSigned } from './signed-webhook.ts';

export { signature } from './signed-webhook.ts';

export interface DispatcherOptions {
  pool: Pool;
  log: Logger;
  /** First retry after this; doubles per failed attempt up to 10 minutes. */
  retryBaseMs: number;
  /** After this many failed attempts a delivery is dead (kept, visible, not retried). */
  maxAttempts: number;
  /** A claimed delivery is not claimed again for this long (covers a crash mid-send). */
  leaseMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Sends due webhook deliveries from the durable outbox. Every attempt carries the same
 * Idempotency-Key, so a receiver that was down sees each alert exactly once per key after
 * it returns; a 2xx marks the delivery done, anything else schedules the next attempt with
 * exponential back-off.
 */
export class WebhookDispatcher {
  private readonly repo: AlertRepository;
  private readonly loop: PollLoop;

  constructor(private readonly o: DispatcherOptions) {
    this.repo = new AlertRepository(o.pool);
    this.loop = new PollLoop(() => this.runOnce(), o.log, 'webhook dispatch');
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
    await Promise.all(due.map((d) => this.attempt(d)));
    return due.length;
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const attempts = d.attempts + 1;
    const outcome = await postSigned({
      url: d.url,
      secret: d.secret,
      body: JSON.stringify(d.payload),
      idempotencyKey: d.idempotencyKey,
      attempt: attempts,
      userAgent: 'sampletrack-webhooks/1',
      ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
    });
    if (outcome.ok) {
      await this.repo.delivered(d.id, outcome.status, new Date());
      return;
    }
    const dead = attempts >= this.o.maxAttempts;
    const next = new Date(Date.now() + retryDelayMs(attempts, this.o.retryBaseMs));
    await this.repo.failed(d.id, outcome.error, outcome.status, next, dead);
    this.o.log.warn(
      { delivery: d.id, alert: d.alertId, url: d.url, attempts, dead, err: outcome.error },
      'webhook delivery failed',
    );
  }
}

import { createHmac } from 'node:crypto';
import { retryDelayMs } from '../domain/alerts/alert-message.ts';
import type { Logger } from '../observability/logger.ts';
import type { Pool } from '../storage/database.ts';
import { AlertRepository, type DueDelivery } from '../storage/repositories/alert.repository.ts';

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

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it with the shared secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Sends due webhook deliveries from the durable outbox. Every attempt carries the same
 * Idempotency-Key, so a receiver that was down sees each alert exactly once per key after
 * it returns; a 2xx marks the delivery done, anything else schedules the next attempt with
 * exponential back-off.
 */
export class WebhookDispatcher {
  private readonly repo: AlertRepository;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {
    this.repo = new AlertRepository(o.pool);
  }

  start(intervalMs: number): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.o.log.error({ err }, 'webhook dispatch failed'))
        .finally(() => { if (!this.stopped) this.timer = setTimeout(loop, intervalMs); });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: claims what is due and attempts each once. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const due = await this.repo.claimDue(new Date(), this.o.leaseMs ?? 60_000, 50);
    await Promise.all(due.map((d) => this.attempt(d)));
    return due.length;
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const body = JSON.stringify(d.payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number | null = null;
    try {
      const res = await (this.o.fetch ?? fetch)(d.url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'sampletrack-webhooks/1',
          'idempotency-key': d.idempotencyKey,
          'x-sampletrack-timestamp': timestamp,
          'x-sampletrack-signature': signature(d.secret, timestamp, body),
          'x-sampletrack-attempt': String(d.attempts + 1),
        },
      });
      status = res.status;
      await res.body?.cancel();
      if (res.ok) {
        await this.repo.delivered(d.id, res.status, new Date());
        return;
      }
      throw new Error(`receiver answered ${res.status}`);
    } catch (err) {
      const attempts = d.attempts + 1;
      const dead = attempts >= this.o.maxAttempts;
      const next = new Date(Date.now() + retryDelayMs(attempts, this.o.retryBaseMs));
      await this.repo.failed(d.id, (err as Error).message, status, next, dead);
      this.o.log.warn({ delivery: d.id, alert: d.alertId, url: d.url, attempts, dead, err: (err as Error).message }, 'webhook delivery failed');
    }
  }
}

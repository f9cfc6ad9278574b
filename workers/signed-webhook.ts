import { createHmac } from 'node:crypto';
import type { Logger } from '../core/observability/logger.ts';

/**
 * What the alert webhooks and the follow-up outbox share: the signed POST and the polling
 * loop of a durable outbox. Each keeps its own table and its own retry bookkeeping; the
 * back-off curve is retryDelayMs (core/domain/alerts/alert-message.ts).
 */

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it with the shared secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedPost {
  url: string;
  secret: string;
  /** The JSON body, already serialised: it is what gets signed. */
  body: string;
  /** The same on every attempt of one message, so the receiver can drop repeats. */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
  userAgent: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** One attempt: a 2xx is delivered; any other answer, a timeout or a network error is a failure to retry. */
export async function postSigned(p: SignedPost): Promise<PostOutcome> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const res = await (p.fetch ?? fetch)(p.url, {
      method: 'POST',
      body: p.body,
      signal: AbortSignal.timeout(p.timeoutMs ?? 10_000),
      headers: {
        'content-type': 'application/json',
        'user-agent': p.userAgent,
        'idempotency-key': p.idempotencyKey,
        'x-sampletrack-timestamp': timestamp,
        'x-sampletrack-signature': signature(p.secret, timestamp, p.body),
        'x-sampletrack-attempt': String(p.attempt),
      },
    });
    await res.body?.cancel();
    return res.ok
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, error: `receiver answered ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: (err as Error).message };
  }
}

/** Runs `pass` every `intervalMs` after the previous pass ended; stop() waits for a running pass. */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  start(intervalMs: number): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.pass()
        .catch((err: unknown) => this.log.error({ err }, `${this.what} failed`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

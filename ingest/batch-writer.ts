import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { DeadLetter } from '../core/storage/repositories/telemetry.repository.ts';

export interface Batch {
  readings: Reading[];
  deadLetters: DeadLetter[];
}

export interface FlushResult {
  /** Readings that were new (not already stored). */
  stored: Reading[];
  duplicates: number;
  /** Readings of devices that are not provisioned, kept as dead letters. */
  unknown: number;
}

export interface BatchWriterOptions {
  /** Writes one batch durably (one transaction). Throws to have the batch retried. */
  store: (batch: Batch) => Promise<FlushResult>;
  /** Flush as soon as this many readings wait. */
  maxBatch: number;
  /** Otherwise flush this long after the first one arrived (0: on the next tick). */
  lingerMs: number;
  onFlushed?: (result: FlushResult, batch: Batch, ms: number) => void;
  onFlushError?: (err: unknown, attempt: number) => void;
  /** Retry back-off after a failed write: 100 ms doubling to this cap. */
  maxBackoffMs?: number;
}

interface Entry {
  readings: Reading[];
  deadLetters: DeadLetter[];
  ack: (err?: Error) => void;
  receivedAt: number;
}

/**
 * Buffers what ingest accepted and writes it in batches, one flush at a time.
 *
 * The acknowledgement of each message (its MQTT PUBACK) is called only after the
 * transaction holding its readings committed, so a crash anywhere before that makes
 * the tracker send the message again, and (device, seq) idempotency absorbs the resend.
 * One flush at a time keeps acknowledgements in arrival order, as MQTT requires
 * ([MQTT-4.6.0-2]: PUBACKs in the order the PUBLISH packets were received).
 *
 * A failed write keeps its batch and retries with back-off; meanwhile nothing is
 * acknowledged, so the brokers stop sending (QoS 1 in-flight windows) and memory stays
 * bounded.
 */
export class BatchWriter {
  private queue: Entry[] = [];
  private queuedReadings = 0;
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: BatchWriterOptions) {}

  /** Readings accepted but not yet stored. */
  get pending(): number {
    return this.queuedReadings;
  }

  /** Receipt time of the oldest entry not yet stored, if any. */
  get oldestPendingAt(): number | undefined {
    return this.queue[0]?.receivedAt;
  }

  get healthy(): boolean {
    return this.failures === 0;
  }

  add(readings: Reading[], deadLetters: DeadLetter[], ack: (err?: Error) => void, receivedAt = Date.now()): void {
    if (this.closed) {
      ack(new Error('ingest is shutting down'));
      return;
    }
    this.queue.push({ readings, deadLetters, ack, receivedAt });
    this.queuedReadings += readings.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing || this.queue.length === 0) return;
    if (this.queuedReadings >= this.opts.maxBatch) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.opts.lingerMs);
    }
  }

  private take(): Entry[] {
    // Whole entries only: a message's readings are stored, and acknowledged, together.
    let n = 0;
    let count = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n]!.readings.length <= this.opts.maxBatch)) {
      count += this.queue[n]!.readings.length;
      n++;
    }
    return this.queue.slice(0, n);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const entries = this.take();
    const batch: Batch = {
      readings: entries.flatMap((e) => e.readings),
      deadLetters: entries.flatMap((e) => e.deadLetters),
    };
    const started = performance.now();
    try {
      const result = await this.opts.store(batch);
      this.failures = 0;
      this.queue.splice(0, entries.length);
      this.queuedReadings -= batch.readings.length;
      for (const e of entries) e.ack();
      this.opts.onFlushed?.(result, batch, performance.now() - started);
    } catch (err) {
      this.failures++;
      this.opts.onFlushError?.(err, this.failures);
      const backoff = Math.min(100 * 2 ** (this.failures - 1), this.opts.maxBackoffMs ?? 5000);
      await new Promise((r) => setTimeout(r, backoff));
    } finally {
      this.flushing = false;
    }
    if (this.queue.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    } else if (this.failures > 0 || this.queuedReadings >= this.opts.maxBatch) {
      void this.flush();
    } else {
      this.schedule();
    }
  }

  /** Resolves once everything accepted so far is stored. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      if (!this.flushing && !this.timer) void this.flush();
    });
  }

  /** Stops taking new input and flushes what was accepted (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
  }
}

import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { DeadLetter } from '../core/storage/repositories/telemetry.repository.ts';

export interface Batch {
  readings: Reading[];
  deadLetters: DeadLetter[];
}

export interface FlushResult {
  /** Readings that were new (not already stored). */
  stored: Reading[];
  /** Readings skipped because their (device, seq) is stored (or came earlier in the batch). */
  duplicates: number;
  /** The duplicates by whether their ts matches the stored copy's (a resend) or not (a conflict). */
  duplicatesByReason: { sameTs: number; conflictingTs: number };
  /** Readings of devices that are not provisioned, kept as dead letters. */
  unknown: number;
  /** Readings the database refused for their content, kept as dead letters (see telemetry-store). */
  unstorable?: number;
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
  /** Batches written at once (default 2); acknowledgements stay in arrival order. */
  maxInFlight?: number;
  /**
   * Readings held unacknowledged at most (INGEST_MAX_PENDING_READINGS; default: no bound).
   * At the bound `admit` queues new messages until pending falls to half of it; a message is
   * admitted only while pending is under the bound, so pending never exceeds
   * maxPending - 1 + the readings of one message.
   */
  maxPending?: number;
}

interface Entry {
  readings: Reading[];
  deadLetters: DeadLetter[];
  ack: (err?: Error) => void;
  receivedAt: number;
}

/** One batch being written; its acknowledgements wait for every earlier batch's. */
interface Flight {
  entries: Entry[];
  batch: Batch;
  started: number;
  result?: FlushResult;
}

/**
 * Buffers what ingest accepted and writes it in batches.
 *
 * The acknowledgement of each message (its MQTT PUBACK) is called only after the
 * transaction holding its readings committed, so a crash anywhere before that makes
 * the tracker send the message again, and (device, seq) idempotency absorbs the resend.
 *
 * Up to `maxInFlight` batches are written at once (the database works on one while this
 * process parses the next), but acknowledgements are released strictly in arrival order,
 * as MQTT requires ([MQTT-4.6.0-2]: PUBACKs in the order the PUBLISH packets were received).
 *
 * A failed write keeps its batch and retries with back-off; meanwhile nothing after it is
 * acknowledged, so brokers stop sending (QoS 1 in-flight windows) and memory stays bounded.
 */
export class BatchWriter {
  private queue: Entry[] = [];
  private queuedReadings = 0;
  private flights: Flight[] = [];
  private flightReadings = 0;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Messages waiting for room, strictly first come first admitted (PUBACK order). */
  private admissions: (() => void)[] = [];
  private gateOpen = true;

  constructor(private readonly opts: BatchWriterOptions) {}

  /** Readings accepted but not yet acknowledged. */
  get pending(): number {
    return this.queuedReadings + this.flightReadings;
  }

  /** Receipt time of the oldest message not yet acknowledged, if any. */
  get oldestPendingAt(): number | undefined {
    return this.flights[0]?.entries[0]?.receivedAt ?? this.queue[0]?.receivedAt;
  }

  /** Messages waiting in `admit` for pending to fall. */
  get waiting(): number {
    return this.admissions.length;
  }

  get healthy(): boolean {
    return this.failures === 0;
  }

  /**
   * Runs `enter` (which parses a message and `add`s it, synchronously) now if there is room,
   * otherwise once pending has fallen to the low-water mark; true when it ran now. Entries
   * run in the order they came, so one client's messages keep their order. A source holds
   * the client meanwhile (its next packets are not read), which is the back-pressure.
   */
  admit(enter: () => void): boolean {
    if (this.admissions.length === 0 && this.hasRoom()) {
      enter();
      return true;
    }
    this.admissions.push(enter);
    return false;
  }

  /** Takes back a message still waiting in `admit` (its connection closed); true if it was. */
  withdraw(enter: () => void): boolean {
    const i = this.admissions.indexOf(enter);
    if (i < 0) return false;
    this.admissions.splice(i, 1);
    return true;
  }

  private hasRoom(): boolean {
    const max = this.opts.maxPending;
    if (max === undefined || this.closed) return true;
    // Hysteresis: once full, stay closed until half is written, so admission and the
    // socket pauses it causes come in bursts rather than one message at a time.
    if (this.gateOpen && this.pending >= max) this.gateOpen = false;
    else if (!this.gateOpen && this.pending <= Math.floor(max / 2)) this.gateOpen = true;
    return this.gateOpen;
  }

  private admitWaiting(): void {
    while (this.admissions.length > 0 && this.hasRoom()) this.admissions.shift()!();
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

  private get canFly(): boolean {
    return this.flights.length < (this.opts.maxInFlight ?? 2) && this.failures === 0;
  }

  private schedule(): void {
    if (this.queue.length === 0) return;
    if (this.queuedReadings >= this.opts.maxBatch || this.closed) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.launch();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.launch();
      }, this.opts.lingerMs);
    }
  }

  /** Starts writing the queue's head, as many batches as may be in flight. */
  private launch(): void {
    while (this.queue.length > 0 && (this.canFly || this.flights.length === 0)) {
      const entries = this.take();
      const batch: Batch = {
        readings: entries.flatMap((e) => e.readings),
        deadLetters: entries.flatMap((e) => e.deadLetters),
      };
      this.queuedReadings -= batch.readings.length;
      this.flightReadings += batch.readings.length;
      const flight: Flight = { entries, batch, started: performance.now() };
      this.flights.push(flight);
      void this.write(flight);
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
    return this.queue.splice(0, n);
  }

  /** Writes one batch, retrying with back-off until it is stored. */
  private async write(flight: Flight): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        flight.result = await this.opts.store(flight.batch);
        break;
      } catch (err) {
        this.failures++;
        this.opts.onFlushError?.(err, attempt);
        const backoff = Math.min(100 * 2 ** (attempt - 1), this.opts.maxBackoffMs ?? 5000);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
    if (this.failures > 0 && this.flights.every((f) => f === flight || f.result)) this.failures = 0;
    this.release();
    this.admitWaiting();
    if (this.queue.length) this.schedule();
    else if (this.flights.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Acknowledges finished batches from the oldest on, stopping at the first unfinished. */
  private release(): void {
    while (this.flights[0]?.result) {
      const f = this.flights.shift()!;
      this.flightReadings -= f.batch.readings.length;
      for (const e of f.entries) e.ack();
      this.opts.onFlushed?.(f.result!, f.batch, performance.now() - f.started);
    }
  }

  /** Resolves once everything accepted so far is stored and acknowledged. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.flights.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      if (this.queue.length) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.launch();
      }
    });
  }

  /** Stops taking new input and stores what was accepted (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    // Waiting messages are let in and refused like any new arrival: no PUBACK, the tracker resends.
    this.admitWaiting();
    await this.drain();
  }
}

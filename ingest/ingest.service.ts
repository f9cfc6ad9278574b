import { EventEmitter } from 'node:events';
import { parseTelemetry } from '../core/protocol/parse-telemetry.ts';
import { MAX_EXTRA_DEPTH, StatusSchema, parseTopic, type Reading } from '../core/protocol/tracker-protocol.ts';
import { unstorableJson } from '../core/protocol/json-limits.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { DeviceService } from '../core/services/device.service.ts';
import type { DeadLetter } from '../core/storage/repositories/telemetry.repository.ts';
import { BatchWriter, type Batch, type FlushResult } from './batch-writer.ts';

/** One MQTT message as any source delivers it. */
export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

/** Calls back when the message is durably handled (then its PUBACK may go out). */
export type Ack = (err?: Error) => void;

/**
 * How a source holds one client while its message waits for room (INGEST_MAX_PENDING_READINGS):
 * `pause` when the message has to wait, `resume` right before it is admitted. Not called
 * when there is room at once.
 */
export interface Flow {
  pause(): void;
  resume(): void;
  /**
   * Called once if the client's connection closes while its message waits: the message is
   * then dropped unacknowledged (the tracker resends it on its next connection), so a
   * reconnecting tracker does not queue a second copy behind the first. Returns the
   * function that removes the listener (called on admission).
   */
  onClose?(listener: () => void): () => void;
}

export interface IngestEvents {
  stored: [readings: Reading[]];
}

export interface IngestOptions {
  store: (batch: Batch) => Promise<FlushResult>;
  devices: DeviceService;
  metrics: Metrics;
  log: Logger;
  maxBatch: number;
  lingerMs: number;
  deadLetterMaxBytes: number;
  /** Unacknowledged readings at most (INGEST_MAX_PENDING_READINGS); see BatchWriter.admit. */
  maxPending?: number;
}

/**
 * The ingest pipeline after the source: whatever delivered the message (the embedded
 * broker's hook or an MQTT client on an external broker), it comes through `handle`.
 * Invalid input never throws out of here: it becomes a dead letter with its reason.
 */
export class IngestService extends EventEmitter<IngestEvents> {
  readonly writer: BatchWriter;

  constructor(private readonly o: IngestOptions) {
    super();
    this.writer = new BatchWriter({
      store: o.store,
      maxBatch: o.maxBatch,
      lingerMs: o.lingerMs,
      ...(o.maxPending !== undefined ? { maxPending: o.maxPending } : {}),
      onFlushed: (result, batch, ms) => {
        // Per reading, exactly: these two histograms cost a few comparisons an observation.
        const committedAt = Date.now();
        const { commitLatencySeconds, eventLagSeconds } = o.metrics;
        for (const r of batch.readings) commitLatencySeconds.observe(Math.max(0, committedAt - r.receivedAt) / 1000);
        for (const r of result.stored) eventLagSeconds.observe(Math.max(0, r.receivedAt - r.ts) / 1000);
        if (result.unstorable) o.metrics.readingsRejected.inc({ reason: 'unstorable' }, result.unstorable);
        o.metrics.readingsIngested.inc(result.stored.length);
        o.metrics.readingsDuplicate.inc({ reason: 'same_ts' }, result.duplicatesByReason.sameTs);
        o.metrics.readingsDuplicate.inc({ reason: 'conflicting_ts' }, result.duplicatesByReason.conflictingTs);
        if (result.unknown) o.metrics.readingsRejected.inc({ reason: 'unknown_device' }, result.unknown);
        o.metrics.flushSeconds.observe(ms / 1000);
        o.metrics.flushSize.observe(batch.readings.length);
        this.updateGauges();
        if (result.stored.length) this.emit('stored', result.stored);
      },
      onFlushError: (err, attempt) => {
        o.metrics.flushFailures.inc();
        o.log.error({ err, attempt, pending: this.writer.pending }, 'ingest write failed; holding acks and retrying');
      },
    });
    o.metrics.ingestProbe = () => ({ pending: this.writer.pending, oldestAt: this.writer.oldestPendingAt });
  }

  /**
   * Takes one message, at once if fewer than maxPending readings wait for their commit,
   * otherwise after `flow.pause()`, once enough are stored. Memory is then bounded by the
   * configuration, not by how much the trackers send.
   */
  handle(msg: IncomingMessage, ack: Ack, flow?: Flow): void {
    let held = false;
    const enter = () => {
      if (held) {
        forget?.();
        flow?.resume();
      }
      this.route(msg, ack);
    };
    if (this.writer.admit(enter)) return;
    held = true;
    flow?.pause();
    // Declared after `enter`, which reads it only once held, so always after this line.
    const forget = flow?.onClose?.(() => {
      if (this.writer.withdraw(enter)) ack(new Error('connection closed while waiting for room'));
    });
  }

  private route(msg: IncomingMessage, ack: Ack): void {
    const route = parseTopic(msg.topic);
    if (route?.kind === 'telemetry') return this.telemetry(route.deviceId, msg, ack);
    if (route?.kind === 'status') return void this.status(route.deviceId, msg, ack);
    // Not ours to store (e.g. the platform's own config messages): acknowledge and move on.
    ack();
  }

  private telemetry(deviceId: string, msg: IncomingMessage, ack: Ack): void {
    const { readings, rejected } = parseTelemetry(deviceId, msg.payload, msg.receivedAt);
    const deadLetters = rejected.map((r) => {
      this.o.metrics.readingsRejected.inc({ reason: r.reason });
      return this.deadLetter(deviceId, msg, r.reason, r.detail, r.raw, r.seq);
    });
    if (rejected.length) {
      this.o.log.warn(
        { deviceId, rejected: rejected.map((r) => ({ reason: r.reason, detail: r.detail, seq: r.seq })) },
        'telemetry refused',
      );
    }
    this.writer.add(readings, deadLetters, ack, msg.receivedAt);
    this.updateGauges();
  }

  private async status(deviceId: string, msg: IncomingMessage, ack: Ack): Promise<void> {
    let parsed: ReturnType<typeof StatusSchema.safeParse> | undefined;
    let unstorable: string | null = null;
    try {
      const body: unknown = JSON.parse(msg.payload.toString('utf8'));
      // A status the database cannot hold would fail on every redelivery: keep it aside instead.
      unstorable = unstorableJson(body, MAX_EXTRA_DEPTH);
      parsed = StatusSchema.safeParse(body);
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success || unstorable) {
      const detail =
        unstorable ??
        (parsed && !parsed.success
          ? parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
          : 'not JSON');
      this.o.metrics.readingsRejected.inc({ reason: 'invalid_status' });
      this.writer.add(
        [],
        [this.deadLetter(deviceId, msg, 'invalid_status', detail, msg.payload.toString('latin1'))],
        ack,
        msg.receivedAt,
      );
      return;
    }
    try {
      await this.o.devices.applyStatus(deviceId, parsed.data, msg.receivedAt);
      this.o.metrics.statusMessages.inc();
      ack();
    } catch (err) {
      // Not acknowledged: the broker redelivers the status after the database is back.
      this.o.log.error({ err, deviceId }, 'status update failed');
      ack(err as Error);
    }
  }

  private deadLetter(
    deviceId: string,
    msg: IncomingMessage,
    reason: string,
    detail: string,
    raw: string,
    seq?: number,
  ): DeadLetter {
    const max = this.o.deadLetterMaxBytes;
    return {
      deviceId,
      topic: msg.topic,
      reason,
      detail: detail.slice(0, 2000),
      raw: raw.length > max ? raw.slice(0, max) : raw,
      rawBytes: msg.payload.byteLength,
      receivedAt: msg.receivedAt,
      ...(seq !== undefined ? { seq } : {}),
    };
  }

  private updateGauges(): void {
    this.o.metrics.pendingReadings.set(this.writer.pending);
    const oldest = this.writer.oldestPendingAt;
    this.o.metrics.ingestLagSeconds.set(oldest ? (Date.now() - oldest) / 1000 : 0);
  }

  /** Lag for readiness: how long the oldest unstored message has waited. */
  lagMs(): number {
    const oldest = this.writer.oldestPendingAt;
    return oldest ? Date.now() - oldest : 0;
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

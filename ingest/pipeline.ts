import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { DeviceService } from '../core/services/device.service.ts';
import type { Pool } from '../core/storage/database.ts';
import { IngestService } from './ingest.service.ts';
import { embeddedBrokerSource } from './sources/embedded-broker.source.ts';
import { IngestPartitionRepository } from '../core/storage/repositories/ingest-partition.repository.ts';
import { startAmqpSource, type AmqpSourceOptions } from './sources/amqp.source.ts';
import { startMqttClientSource, type MqttSourceOptions } from './sources/mqtt-client.source.ts';
import { createTelemetryStore } from './telemetry-store.ts';

/** Where messages come from, once started. */
export interface StartedSource {
  /** For /readyz: the broker is up, or the client is connected. */
  ready(): boolean;
  /** Stops taking new messages while what was taken is still stored and acknowledged. */
  quiesce?(): Promise<void>;
  stop(): Promise<void>;
}

export type SourceChoice =
  /** Consume the partitioned engine's queues over AMQP (AMQP_URL; docs/scale-out.md). */
  | { kind: 'amqp'; options: Omit<AmqpSourceOptions, 'leases'> }
  /** Subscribe to an external broker (MQTT_URL) with an MQTT client. */
  | { kind: 'mqtt'; options: MqttSourceOptions }
  /**
   * The broker in this process calls ingest from its publish hook. It is started by the
   * caller (ingest does not import the broker), given the hook that stores a publish.
   */
  | {
      kind: 'embedded';
      start(persist: ReturnType<typeof embeddedBrokerSource>): Promise<StartedSource>;
    };

export interface IngestPipelineOptions {
  pool: Pool;
  devices: DeviceService;
  metrics: Metrics;
  log: Logger;
  maxBatch: number;
  lingerMs: number;
  deadLetterMaxBytes: number;
  /** Unacknowledged readings at most; past it sources stop reading (INGEST_MAX_PENDING_READINGS). */
  maxPending?: number;
  /** Subscribed before the source starts, so no stored reading is missed. */
  onStored(readings: Reading[]): void;
  source: SourceChoice;
}

export interface IngestPipeline {
  ingest: IngestService;
  source: StartedSource;
  /** Stores every accepted message while the source can still acknowledge it, then stops the source. */
  stop(): Promise<void>;
}

/**
 * The ingest pipeline assembled: the telemetry store, the batch writer (inside
 * IngestService) and the source that feeds it, the embedded broker or an MQTT client.
 */
export async function startIngestPipeline(o: IngestPipelineOptions): Promise<IngestPipeline> {
  const ingest = new IngestService({
    store: createTelemetryStore(o.pool),
    devices: o.devices,
    metrics: o.metrics,
    log: o.log,
    maxBatch: o.maxBatch,
    lingerMs: o.lingerMs,
    deadLetterMaxBytes: o.deadLetterMaxBytes,
    ...(o.maxPending !== undefined ? { maxPending: o.maxPending } : {}),
  });
  ingest.on('stored', (readings) => o.onStored(readings));
  let source: StartedSource;
  try {
    if (o.source.kind === 'amqp') {
      source = await startAmqpSource(ingest, { ...o.source.options, leases: new IngestPartitionRepository(o.pool) });
    } else if (o.source.kind === 'mqtt') {
      const client = await startMqttClientSource(ingest, o.source.options);
      source = { ready: () => client.client.connected, stop: () => client.stop() };
    } else {
      source = await o.source.start(embeddedBrokerSource(ingest));
    }
  } catch (err) {
    await ingest.close();
    throw err;
  }
  return {
    ingest,
    source,
    // Ingest stores what it accepted while the devices' connections are still open to
    // carry the PUBACKs; only then does the source disconnect them.
    stop: async () => {
      await source.quiesce?.();
      await ingest.close();
      await source.stop();
    },
  };
}

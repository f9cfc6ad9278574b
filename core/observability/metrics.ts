import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The platform's Prometheus metrics, one registry per platform instance (tests run
 * several in one process). Names follow Prometheus conventions; docs/operations.md
 * says which ones to alert on.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    readingsIngested: new Counter({ name: 'sampletrack_readings_ingested_total', help: 'Readings stored (new, not duplicates)', registers: [registry] }),
    readingsDuplicate: new Counter({ name: 'sampletrack_readings_duplicate_total', help: 'Valid readings already stored, skipped by (device, seq)', registers: [registry] }),
    readingsRejected: new Counter({ name: 'sampletrack_readings_rejected_total', help: 'Payloads or readings refused and kept as dead letters', labelNames: ['reason'] as const, registers: [registry] }),
    statusMessages: new Counter({ name: 'sampletrack_status_messages_total', help: 'Tracker status messages applied', registers: [registry] }),
    flushSeconds: new Histogram({ name: 'sampletrack_ingest_flush_seconds', help: 'Time to write one ingest batch', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    flushSize: new Histogram({ name: 'sampletrack_ingest_flush_readings', help: 'Readings per ingest batch', buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000], registers: [registry] }),
    flushFailures: new Counter({ name: 'sampletrack_ingest_flush_failures_total', help: 'Batch writes that failed and were retried', registers: [registry] }),
    pendingReadings: new Gauge({ name: 'sampletrack_ingest_pending_readings', help: 'Readings received but not yet stored (unacknowledged)', registers: [registry] }),
    ingestLagSeconds: new Gauge({ name: 'sampletrack_ingest_lag_seconds', help: 'Age of the oldest reading received but not yet stored', registers: [registry] }),
    connectedDevices: new Gauge({ name: 'sampletrack_connected_devices', help: 'Trackers connected to the embedded broker', registers: [registry] }),
    authFailures: new Counter({ name: 'sampletrack_broker_refusals_total', help: 'Connections, publishes and subscriptions refused by the broker', labelNames: ['kind'] as const, registers: [registry] }),
    throttledConnects: new Counter({ name: 'sampletrack_broker_throttled_connects_total', help: 'Connects refused by a rate limit (per device id, or per IP after failed sign-ins)', labelNames: ['limit'] as const, registers: [registry] }),
    oversizedPackets: new Counter({ name: 'sampletrack_broker_oversized_packets_total', help: 'Connections closed for an MQTT packet over the size limit (or a malformed length)', registers: [registry] }),
    wsClients: new Gauge({ name: 'sampletrack_live_clients', help: 'Open /api/live WebSocket connections', registers: [registry] }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OpsSnapshot } from '../storage/repositories/ops-metrics.repository.ts';
import { ReadingHistogram } from './reading-histogram.ts';

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
    readingsIngested: new Counter({
      name: 'sampletrack_readings_ingested_total',
      help: 'Readings stored (new, not duplicates)',
      registers: [registry],
    }),
    // same_ts: a resend (normal after a reconnect); conflicting_ts: the seq is stored with another
    // ts (firmware bug), the copy is kept as a dead letter duplicate_seq_conflict.
    readingsDuplicate: new Counter({
      name: 'sampletrack_readings_duplicate_total',
      help: 'Valid readings not stored because their (device, seq) is stored, by reason (same_ts, conflicting_ts)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    readingsRejected: new Counter({
      name: 'sampletrack_readings_rejected_total',
      help: 'Payloads or readings refused and kept as dead letters',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    statusMessages: new Counter({
      name: 'sampletrack_status_messages_total',
      help: 'Tracker status messages applied',
      registers: [registry],
    }),
    flushSeconds: new Histogram({
      name: 'sampletrack_ingest_flush_seconds',
      help: 'Time to write one ingest batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    flushSize: new Histogram({
      name: 'sampletrack_ingest_flush_readings',
      help: 'Readings per ingest batch',
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    flushFailures: new Counter({
      name: 'sampletrack_ingest_flush_failures_total',
      help: 'Batch writes that failed and were retried',
      registers: [registry],
    }),
    // Read at scrape time from ingest (see `ingestProbe`): a stalled writer receives nothing
    // new, so a gauge set only on arrival would freeze at a harmless value.
    pendingReadings: new Gauge({
      name: 'sampletrack_ingest_pending_readings',
      help: 'Readings received but not yet stored (unacknowledged)',
      registers: [registry],
      collect() {
        const probe = m.ingestProbe?.();
        if (probe) this.set(probe.pending);
      },
    }),
    ingestLagSeconds: new Gauge({
      name: 'sampletrack_ingest_lag_seconds',
      help: 'Age of the oldest reading received but not yet stored',
      registers: [registry],
      collect() {
        const probe = m.ingestProbe?.();
        if (probe) this.set(probe.oldestAt ? Math.max(0, Date.now() - probe.oldestAt) / 1000 : 0);
      },
    }),
    commitLatencySeconds: new ReadingHistogram({
      name: 'sampletrack_ingest_commit_latency_seconds',
      help: 'From receipt of a reading to its commit (then its PUBACK goes out)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    eventLagSeconds: new ReadingHistogram({
      name: 'sampletrack_ingest_event_lag_seconds',
      help: 'From measurement (ts) to receipt of each stored reading: how late trackers report',
      buckets: [1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
      registers: [registry],
    }),
    connectedDevices: new Gauge({
      name: 'sampletrack_connected_devices',
      help: 'Trackers connected to the embedded broker',
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'sampletrack_broker_refusals_total',
      help: 'Connections, publishes and subscriptions refused by the broker',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    throttledConnects: new Counter({
      name: 'sampletrack_broker_throttled_connects_total',
      help: 'Connects refused by a rate limit (per device id, or per IP after failed sign-ins)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    oversizedPackets: new Counter({
      name: 'sampletrack_broker_oversized_packets_total',
      help: 'Connections closed for an MQTT packet over the hard ceiling MQTT_MAX_PACKET_BYTES (or a malformed length)',
      registers: [registry],
    }),
    wsClients: new Gauge({
      name: 'sampletrack_live_clients',
      help: 'Open /api/live WebSocket connections',
      registers: [registry],
    }),
    // Per process: which once-only jobs this `jobs` process leads, and how often it ran each.
    leader: new Gauge({
      name: 'sampletrack_leader',
      help: "This process holds the job's leader lock (1) or stands by (0)",
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'sampletrack_job_runs_total',
      help: 'Runs of a once-only job in this process (only its leader runs it)',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    /** Set by ingest: what is waiting to be stored right now. */
    ingestProbe: undefined as (() => { pending: number; oldestAt: number | undefined }) | undefined,
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Metrics read from the database at scrape time (backlogs, alerts, escalations, open
 * exceptions): right across restarts and processes, and never counting a rolled-back
 * change. One snapshot serves a whole scrape; a failing database leaves the last values
 * and sets sampletrack_ops_metrics_up to 0 instead of failing /metrics.
 */
export function registerOpsMetrics(
  registry: Registry,
  snapshot: () => Promise<OpsSnapshot>,
  onError: (err: unknown) => void,
): void {
  let cached: { at: number; value: Promise<OpsSnapshot | undefined> } | undefined;
  const read = (): Promise<OpsSnapshot | undefined> => {
    if (!cached || Date.now() - cached.at > 1000) {
      cached = {
        at: Date.now(),
        value: snapshot().catch((err: unknown) => {
          onError(err);
          return undefined;
        }),
      };
    }
    return cached.value;
  };
  const registers = [registry];
  new Gauge({
    name: 'sampletrack_ops_metrics_up',
    help: '1 when the database-backed metrics below could be read at this scrape',
    registers,
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  for (const [name, pick, what] of [
    ['webhook_deliveries', (s: OpsSnapshot) => s.webhooks, 'Webhook deliveries not yet delivered (alerts outbox)'],
    ['outbox_messages', (s: OpsSnapshot) => s.outbox, 'Follow-up outbox messages not yet delivered'],
  ] as const) {
    new Gauge({
      name: `sampletrack_${name}_backlog`,
      help: `${what}, by status (pending, dead or failed)`,
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const s = await read();
        if (!s) return;
        this.reset();
        for (const status of name === 'webhook_deliveries' ? ['pending', 'dead'] : ['pending', 'failed'])
          this.set({ status }, pick(s).byStatus[status] ?? 0);
      },
    });
    new Gauge({
      name: `sampletrack_${name}_retrying`,
      help: `${what} that failed at least once and wait for a retry`,
      registers,
      async collect() {
        const s = await read();
        if (s) this.set(pick(s).retrying);
      },
    });
    new Gauge({
      name: `sampletrack_${name}_oldest_pending_age_seconds`,
      help: `${what}: age of the oldest pending one (0 when none)`,
      registers,
      async collect() {
        const s = await read();
        if (s) this.set(pick(s).oldestPendingAgeS);
      },
    });
  }
  new Counter({
    name: 'sampletrack_alerts_total',
    help: 'Alerts raised, by kind (opened, escalated, ...) and severity',
    labelNames: ['kind', 'severity'] as const,
    registers,
    async collect() {
      const s = await read();
      if (!s) return;
      this.reset();
      for (const a of s.alerts) this.inc({ kind: a.kind, severity: a.severity }, a.count);
    },
  });
  new Counter({
    name: 'sampletrack_escalations_total',
    help: 'Critical exceptions escalated because nobody acknowledged them in time',
    registers,
    async collect() {
      const s = await read();
      if (!s) return;
      this.reset();
      this.inc(s.escalations);
    },
  });
  new Gauge({
    name: 'sampletrack_exceptions_open',
    help: 'Condition exceptions waiting for a person (open or acknowledged), by severity and status',
    labelNames: ['severity', 'status'] as const,
    registers,
    async collect() {
      const s = await read();
      if (!s) return;
      this.reset();
      for (const severity of ['info', 'warning', 'critical'])
        for (const status of ['open', 'acknowledged']) this.set({ severity, status }, 0);
      for (const e of s.exceptionsOpen) this.set({ severity: e.severity, status: e.status }, e.count);
    },
  });
}

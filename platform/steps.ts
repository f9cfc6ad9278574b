import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app.ts';
import { LiveHub } from '../api/live-hub.ts';
import { startMqttConfigPublisher } from '../broker/config-publisher.ts';
import { startEmbeddedBroker } from '../broker/embedded.ts';
import { engineSessions } from '../broker/engine-sessions.ts';
import type { Env } from '../core/config/env.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { CHANGE_CHANNELS } from '../core/events.ts';
import type { Logger } from '../core/observability/logger.ts';
import { registerOpsMetrics, type Metrics } from '../core/observability/metrics.ts';
import { createServices, type Services } from '../core/services/index.ts';
import { DEFAULT_PROGRAM_CONFIG } from '../core/services/sample-program.config.ts';
import { ChangeListener } from '../core/storage/change-listener.ts';
import { createPhotoStore } from '../core/storage/photos/index.ts';
import { createPool, type Pool } from '../core/storage/database.ts';
import { migrate } from '../core/storage/migrate.ts';
import { OpsMetricsRepository } from '../core/storage/repositories/ops-metrics.repository.ts';
import { startIngestPipeline } from '../ingest/pipeline.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import { ConditionMonitor } from '../rules/condition-monitor.ts';
import { judgeTrace } from '../rules/judge-trace.ts';
import { startFollowUpScheduler } from '../workers/follow-up.scheduler.ts';
import { OutboxDelivery } from '../workers/outbox-delivery.ts';
import { EmailDelivery } from '../workers/email-delivery.ts';
import { brandOf } from '../core/domain/messages/values.ts';
import { WebhookDispatcher } from '../workers/webhook-dispatcher.ts';
import { startTikTokPoller } from '../workers/tiktok-poller.ts';
import { startNotificationDelivery } from '../workers/notification-delivery.ts';
import { openDatabase } from './database.ts';
import type { Leaders } from './leaders.ts';
import { readinessOf } from './readiness.ts';
import type { Stoppable } from './step-runner.ts';

/*
 * The steps of startPlatform: each starts one part and returns what it started with its
 * stop. They run in order (./step-runner.ts runs the stops in reverse), so a part stops
 * only after every part that uses it.
 */

type Tls = { cert: Buffer; key: Buffer } | undefined;

const nothing = async () => {};

/** Read once at start: a renewed certificate takes a restart (docs/operations.md). */
export function readTls(env: Env): Tls {
  return env.TLS_CERT_FILE && env.TLS_KEY_FILE
    ? { cert: readFileSync(env.TLS_CERT_FILE), key: readFileSync(env.TLS_KEY_FILE) }
    : undefined;
}

/** The database server: DATABASE_URL, or an embedded PostgreSQL. */
export async function startDatabase(env: Env, log: Logger): Promise<{ url: string } & Stoppable> {
  return openDatabase(env, log);
}

/** The pool every part shares, on a migrated schema; the ops gauges read through it. */
export async function startPool(url: string, metrics: Metrics, log: Logger): Promise<{ pool: Pool } & Stoppable> {
  const pool = createPool(url, 20);
  const stop = () => pool.end();
  try {
    const { applied } = await migrate(pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await stop();
    throw err;
  }
  const opsMetrics = new OpsMetricsRepository(pool);
  registerOpsMetrics(
    metrics.registry,
    () => opsMetrics.snapshot(),
    (err) => log.warn({ err }, 'metrics: database unavailable'),
  );
  return { pool, stop };
}

/**
 * Every service over the pool, and the first admin when the environment names one (by the
 * process with the API, so two processes starting together never race to make it).
 */
export async function startServices(
  env: Env,
  pool: Pool,
  log: Logger,
  o: { firstAdmin: boolean } = { firstAdmin: true },
): Promise<{ services: Services } & Stoppable> {
  const services = createServices({
    pool,
    program: {
      ...DEFAULT_PROGRAM_CONFIG,
      geofences: { warehouse: env.ORIGIN_WAREHOUSE ?? null, radiusM: env.GEOFENCE_RADIUS_M },
    },
    alerting: { publicUrl: env.PUBLIC_URL, escalateAfterMs: env.ALERT_ESCALATE_AFTER_MIN * 60_000 },
    auth: { sessionTtlMs: env.SESSION_TTL_HOURS * 3600_000 },
    creatorLinks: {
      publicUrl: env.PUBLIC_URL,
      ttlDays: env.CREATOR_LINK_TTL_DAYS,
      ...(env.CREATOR_LINK_KEY ? { key: env.CREATOR_LINK_KEY } : {}),
    },
    photos: createPhotoStore(env),
    creatorPage: {
      photoMaxBytes: env.PHOTO_MAX_BYTES,
      maxPhotos: 6,
      requestsPerMinute: env.CREATOR_LINK_REQUESTS_PER_MIN,
    },
    brand: brandOf(env.SMTP_FROM),
    deviceSecrets: {
      ...(env.DEVICE_SECRET_KEY ? { key: env.DEVICE_SECRET_KEY } : {}),
      previousKeys: env.DEVICE_SECRET_KEY_PREVIOUS,
    },
  });
  if (o.firstAdmin && env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
    // Only while no user exists: a leftover variable never resets anyone's password.
    const admin = await services.users.createFirstAdmin(
      { email: env.ADMIN_EMAIL, name: 'Admin', password: env.ADMIN_PASSWORD },
      systemActor('env'),
    );
    if (admin) log.info({ email: admin.email }, 'first admin created from ADMIN_EMAIL');
  }
  return { services, stop: nothing };
}

/**
 * The background workers: alert webhooks, the follow-up outbox and creator emails (when
 * configured), notices, the follow-up scheduler and the TikTok poll. The deliveries claim
 * their rows (FOR UPDATE SKIP LOCKED, under a lease), so every `jobs` process runs them; the
 * scheduler, digests and the poll run only while `leaders` says this process leads them.
 */
export async function startWorkers(
  env: Env,
  pool: Pool,
  log: Logger,
  services?: Services,
  leaders?: Leaders,
): Promise<Stoppable> {
  const leads = (job: Parameters<Leaders['take']>[0]) => (leaders ? { runIf: () => leaders.take(job) } : {});
  const stops: (() => Promise<void>)[] = [];
  const dispatcher = new WebhookDispatcher({
    pool,
    log: log.child({ part: 'webhooks' }),
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
  });
  dispatcher.start(env.WEBHOOK_POLL_MS);
  stops.push(() => dispatcher.stop());
  if (env.OUTBOX_WEBHOOK_URL && env.OUTBOX_WEBHOOK_SECRET) {
    const outbox = new OutboxDelivery({
      pool,
      log: log.child({ part: 'outbox' }),
      url: env.OUTBOX_WEBHOOK_URL,
      secret: env.OUTBOX_WEBHOOK_SECRET,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    });
    outbox.start(env.WEBHOOK_POLL_MS);
    stops.push(() => outbox.stop());
  }
  if (env.SMTP_URL) {
    const email = new EmailDelivery({
      pool,
      log: log.child({ part: 'email' }),
      smtpUrl: env.SMTP_URL,
      from: env.SMTP_FROM,
      maxAttempts: env.SMTP_MAX_ATTEMPTS,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    });
    email.start(env.SMTP_POLL_MS);
    stops.push(() => email.stop());
  }
  stops.push(
    startNotificationDelivery(env, pool, log, services, leaders ? { digests: () => leaders.take('digests') } : {}),
  );
  if (env.FOLLOW_UP_INTERVAL_S > 0) {
    const followUps = startFollowUpScheduler({
      pool,
      log: log.child({ part: 'follow-ups' }),
      intervalMs: env.FOLLOW_UP_INTERVAL_S * 1000,
      ...(services ? { services: { creatorLinks: services.creatorLinks, messages: services.messages } } : {}),
      ...leads('followUps'),
    });
    stops.push(() => followUps.stop());
  }
  // Polls only while the connector row says enabled (and not paused), at its own interval.
  if (services) {
    const tiktok = startTikTokPoller({
      pool,
      service: services.tiktok,
      log: log.child({ part: 'tiktok' }),
      ...leads('tiktok'),
    });
    stops.push(() => tiktok.stop());
  }
  return {
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/**
 * The rules: stored readings are judged in commit order (the ingest step feeds `judge`);
 * the silence rule runs on a clock. Both belong to the process that judges (the ingest role):
 * rule state lives in memory per trip, so each ingest worker ticks the trips it judges (no
 * lock: one would leave the other workers' trips unchecked). Escalation runs in the jobs
 * role (./leaders.ts startEscalation).
 */
export async function startRules(pool: Pool, services: Services, env: Env, log: Logger) {
  const monitor = new ConditionMonitor({
    pool,
    log: log.child({ part: 'conditions' }),
    publicUrl: env.PUBLIC_URL,
    lifecycle: services.lifecycle,
  });
  // Every trip on the road is watched from the start, silent ones included. On a partitioned
  // engine each worker watches only its partitions' trackers (the source's onClaim).
  if (!env.AMQP_URL) await monitor.watch();
  const ticker = setInterval(() => void monitor.tick(), 30_000);
  return {
    monitor,
    stop: async () => {
      clearInterval(ticker);
      await monitor.drain();
    },
  };
}

export interface TrackerInput extends Stoppable {
  ingest: IngestService;
  broker: Aedes | undefined;
  mqttUrl: string;
  mqttWsUrl: string | undefined;
  mqttsUrl: string | undefined;
  ready(): boolean;
}

/**
 * Where readings enter: the ingest pipeline with its source, the embedded broker and its
 * listeners, or a subscription on the external broker at MQTT_URL.
 */
export async function startTrackerInput(
  env: Env,
  o: { pool: Pool; services: Services; monitor: ConditionMonitor; metrics: Metrics; log: Logger; tls: Tls },
): Promise<TrackerInput> {
  const { services, metrics, log } = o;
  let embedded: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined;
  const workerId = env.INGEST_WORKER_ID ?? `${hostname()}-${process.pid}`;
  const trace = env.INGEST_TRACE_FILE ? judgeTrace(env.INGEST_TRACE_FILE, workerId) : undefined;
  const pipeline = await startIngestPipeline({
    pool: o.pool,
    devices: services.devices,
    metrics,
    log: log.child({ part: 'ingest' }),
    maxBatch: env.INGEST_BATCH_MAX,
    lingerMs: env.INGEST_FLUSH_MS,
    maxPending: env.INGEST_MAX_PENDING_READINGS,
    deadLetterMaxBytes: env.DEAD_LETTER_MAX_BYTES,
    onStored: trace
      ? (readings) => void o.monitor.judge(readings).then(() => trace(readings))
      : (readings) => void o.monitor.judge(readings),
    source: env.AMQP_URL
      ? {
          kind: 'amqp',
          options: {
            url: env.AMQP_URL,
            partitions: env.INGEST_PARTITIONS,
            workerId,
            leaseTtlS: env.INGEST_LEASE_TTL_S,
            window: env.INGEST_AMQP_WINDOW,
            log: log.child({ part: 'engine-source' }),
            onRelease: (deviceIds) => o.monitor.forget(deviceIds),
            onClaim: (deviceIds) => o.monitor.watch(deviceIds),
          },
        }
      : env.MQTT_URL
        ? {
            kind: 'mqtt',
            options: {
              url: env.MQTT_URL,
              clientId: env.INGEST_CLIENT_ID,
              shareGroup: env.INGEST_SHARE_GROUP,
              log: log.child({ part: 'mqtt-source' }),
              ...(env.MQTT_USERNAME ? { username: env.MQTT_USERNAME } : {}),
              ...(env.MQTT_PASSWORD ? { password: env.MQTT_PASSWORD } : {}),
            },
          }
        : {
            kind: 'embedded',
            start: async (persist) =>
              (embedded = await startEmbeddedBroker({
                devices: services.devices,
                metrics,
                log: log.child({ part: 'broker' }),
                persist,
                limits: {
                  connectsPerDevicePerMin: env.MQTT_CONNECTS_PER_DEVICE_PER_MIN,
                  authFailuresPerIpPerMin: env.MQTT_AUTH_FAILURES_PER_IP_PER_MIN,
                },
                listen: {
                  host: env.MQTT_HOST,
                  port: env.MQTT_PORT,
                  tlsPort: env.MQTTS_PORT,
                  wsPort: env.MQTT_WS_PORT,
                  tls: o.tls,
                  maxPacketBytes: env.MQTT_MAX_PACKET_BYTES,
                },
              })),
          },
  });
  return {
    ingest: pipeline.ingest,
    broker: embedded?.broker,
    mqttUrl: embedded?.mqttUrl ?? env.MQTT_URL ?? '',
    mqttWsUrl: embedded?.mqttWsUrl,
    mqttsUrl: embedded?.mqttsUrl,
    ready: () => pipeline.source.ready(),
    stop: () => pipeline.stop(),
  };
}

/** With an external broker, tracker configs go out retained through an MQTT client of their own. */
export async function startExternalConfigs(env: Env, services: Services, log: Logger): Promise<Stoppable> {
  if (!env.MQTT_URL) return { stop: nothing };
  const configs = startMqttConfigPublisher({
    url: env.MQTT_URL,
    clientId: `${env.INGEST_CLIENT_ID}-config`,
    log: log.child({ part: 'config-publisher' }),
    ...(env.MQTT_USERNAME ? { username: env.MQTT_USERNAME } : {}),
    ...(env.MQTT_PASSWORD ? { password: env.MQTT_PASSWORD } : {}),
  });
  services.devices.attachConfigPublisher(configs.publisher);
  // On the partitioned engine a revoked device's open connection is closed there.
  if (env.ENGINE_MANAGEMENT_URL)
    services.devices.attachSessions(
      engineSessions({ managementUrl: env.ENGINE_MANAGEMENT_URL, log: log.child({ part: 'engine-sessions' }) }),
    );
  // The external broker may have lost its retained copies; this waits for no connection.
  services.devices.republishConfigs().catch((err: unknown) => log.error({ err }, 'republishing configs failed'));
  return {
    stop: async () => {
      services.devices.attachConfigPublisher(undefined);
      if (env.ENGINE_MANAGEMENT_URL) services.devices.attachSessions(undefined);
      await configs.stop();
    },
  };
}

/** The live feed: LISTEN on the change channels, fanned out to /api/live sockets by the hub. */
export async function startLiveFeed(url: string, services: Services, metrics: Metrics, log: Logger) {
  const listener = new ChangeListener(url, CHANGE_CHANNELS);
  await listener.start();
  const live = new LiveHub({
    listener,
    metrics,
    log,
    load: (ids) => services.parcels.list(ids),
    loadExceptions: (ids) => services.exceptions.byIds(ids),
    loadAlerts: (ids) => services.alerts.byIds(ids),
  });
  return { listener, live, stop: () => listener.stop() };
}

/** The HTTP API with the dashboard, listening; its readiness reads the other parts. */
export async function startApi(
  env: Env,
  o: {
    services: Services;
    pool: Pool;
    /** Tracker input in this process (the ingest role), whose health readiness reports. */
    input: TrackerInput | undefined;
    listener: ChangeListener;
    live: LiveHub;
    metrics: Metrics;
    logger: pino.Logger;
    tls: Tls;
  },
): Promise<{ app: FastifyInstance; httpUrl: string } & Stoppable> {
  const { tls } = o;
  const app = await buildApp({
    services: o.services,
    live: o.live,
    metrics: o.metrics,
    // Requests are logged at info; the API logs only what goes wrong (5xx in full).
    logger: o.logger.child({ part: 'api' }, { level: 'warn' }),
    config: { mapTileUrl: env.MAP_TILE_URL ?? null, publicUrl: env.PUBLIC_URL },
    responseValidation: env.RESPONSE_VALIDATION,
    ...(env.ENGINE_AUTH_TOKEN ? { engineAuthToken: env.ENGINE_AUTH_TOKEN } : {}),
    ...(tls ? { https: tls } : {}),
    readiness: readinessOf({ pool: o.pool, input: o.input, listener: o.listener }),
  });
  // The live sockets are told first, so closing the server waits for none of them.
  const stop = async () => {
    o.live.close();
    await app.close();
  };
  try {
    await app.listen({ port: env.HTTP_PORT, host: env.HTTP_HOST });
  } catch (err) {
    await stop();
    throw err;
  }
  const httpPort = (app.server.address() as AddressInfo).port;
  const httpUrl = `${tls ? 'https' : 'http'}://${env.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : env.HTTP_HOST}:${httpPort}`;
  return { app, httpUrl, stop };
}

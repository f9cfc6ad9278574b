import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { LiveHub } from '../api/live-hub.ts';
import { closeBroker, createBroker } from '../broker/broker.ts';
import { aedesConfigPublisher, startMqttConfigPublisher } from '../broker/config-publisher.ts';
import { PacketSizeGuard } from '../broker/packet-size-guard.ts';
import { loadEnv, type Env } from '../core/config/env.ts';
import type { Logger } from '../core/observability/logger.ts';
import { createMetrics, registerOpsMetrics, type Metrics } from '../core/observability/metrics.ts';
import { OpsMetricsRepository } from '../core/storage/repositories/ops-metrics.repository.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { createServices, type Services } from '../core/services/index.ts';
import { DEFAULT_PROGRAM_CONFIG } from '../core/services/sample-program.config.ts';
import { startFollowUpScheduler } from '../workers/follow-up.scheduler.ts';
import { WebhookDispatcher } from '../workers/webhook-dispatcher.ts';
import { OutboxDelivery } from '../workers/outbox-delivery.ts';
import { ChangeListener } from '../core/storage/change-listener.ts';
import { createPool, type Pool } from '../core/storage/database.ts';
import { migrate } from '../core/storage/migrate.ts';
import { CHANGE_CHANNELS } from '../core/events.ts';
import { ConditionMonitor } from '../rules/condition-monitor.ts';
import { IngestService } from '../ingest/ingest.service.ts';
import { embeddedBrokerSource } from '../ingest/sources/embedded-broker.source.ts';
import { startMqttClientSource } from '../ingest/sources/mqtt-client.source.ts';
import { createTelemetryStore } from '../ingest/telemetry-store.ts';
import { openDatabase } from './database.ts';
import { createLogger } from './logger.ts';

export interface Platform {
  env: Env;
  httpUrl: string;
  /** Where trackers connect: the embedded broker, or MQTT_URL when external. */
  mqttUrl: string;
  /** MQTT over WebSocket on the embedded broker, if enabled. */
  mqttWsUrl: string | undefined;
  /** MQTT over TLS on the embedded broker, when a certificate is configured. */
  mqttsUrl: string | undefined;
  databaseUrl: string;
  pool: Pool;
  services: Services;
  ingest: IngestService;
  /** Judges stored readings against condition profiles. */
  conditions: ConditionMonitor;
  metrics: Metrics;
  log: Logger;
  app: FastifyInstance;
  broker: Aedes | undefined;
  provisionDevice(id?: string): Promise<{ id: string; secret: string }>;
  /** Graceful: stops taking input, stores every accepted reading, then closes. */
  stop(): Promise<void>;
}

const listenTcp = (srv: TcpServer | HttpServer, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve((srv.address() as AddressInfo).port));
  });
const closeServer = (srv: TcpServer | HttpServer) => new Promise<void>((r) => srv.close(() => r()));

/**
 * Composes the whole platform in one process: database (embedded or external), migrations,
 * ingest, the broker (embedded aedes, or an MQTT client on MQTT_URL), the live feed and
 * the HTTP API with the dashboard. Used by platform/main.ts and by the tests.
 */
export async function startPlatform(opts: { env?: Record<string, string | undefined> } = {}): Promise<Platform> {
  const env = loadEnv(opts.env ?? process.env);
  const pinoLog = createLogger(env);
  const log: Logger = pinoLog;
  const metrics = createMetrics();
  // Read once at start: a renewed certificate takes a restart (docs/operations.md).
  const tls =
    env.TLS_CERT_FILE && env.TLS_KEY_FILE
      ? { cert: readFileSync(env.TLS_CERT_FILE), key: readFileSync(env.TLS_KEY_FILE) }
      : undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse())
      await c().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };

  try {
    const db = await openDatabase(env, log);
    cleanups.push(db.stop);
    const pool = createPool(db.url, 20);
    cleanups.push(() => pool.end());
    const { applied } = await migrate(pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const opsMetrics = new OpsMetricsRepository(pool);
    registerOpsMetrics(
      metrics.registry,
      () => opsMetrics.snapshot(),
      (err) => log.warn({ err }, 'metrics: database unavailable'),
    );

    const program = {
      ...DEFAULT_PROGRAM_CONFIG,
      geofences: { warehouse: env.ORIGIN_WAREHOUSE ?? null, radiusM: env.GEOFENCE_RADIUS_M },
    };
    const services = createServices(
      pool,
      program,
      {
        publicUrl: env.PUBLIC_URL,
        escalateAfterMs: env.ALERT_ESCALATE_AFTER_MIN * 60_000,
      },
      { sessionTtlMs: env.SESSION_TTL_HOURS * 3600_000 },
    );
    if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
      // Only while no user exists: a leftover variable never resets anyone's password.
      const admin = await services.users.createFirstAdmin(
        { email: env.ADMIN_EMAIL, name: 'Admin', password: env.ADMIN_PASSWORD },
        systemActor('env'),
      );
      if (admin) log.info({ email: admin.email }, 'first admin created from ADMIN_EMAIL');
    }
    const ingest = new IngestService({
      store: createTelemetryStore(pool),
      devices: services.devices,
      metrics,
      log: log.child({ part: 'ingest' }),
      maxBatch: env.INGEST_BATCH_MAX,
      lingerMs: env.INGEST_FLUSH_MS,
      deadLetterMaxBytes: env.DEAD_LETTER_MAX_BYTES,
    });

    // Rules judge what was stored, in commit order; the silence rule also runs on a clock.
    const monitor = new ConditionMonitor({
      pool,
      log: log.child({ part: 'conditions' }),
      publicUrl: env.PUBLIC_URL,
      lifecycle: services.lifecycle,
    });
    ingest.on('stored', (readings) => void monitor.judge(readings));
    const ticker = setInterval(() => {
      void monitor.tick();
      services.alerts.escalate().catch((err: unknown) => log.error({ err }, 'escalation check failed'));
    }, 30_000);
    const dispatcher = new WebhookDispatcher({
      pool,
      log: log.child({ part: 'webhooks' }),
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    });
    dispatcher.start(env.WEBHOOK_POLL_MS);
    cleanups.push(async () => {
      clearInterval(ticker);
      await monitor.drain();
      await dispatcher.stop();
    });

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
      cleanups.push(() => outbox.stop());
    }

    if (env.FOLLOW_UP_INTERVAL_S > 0) {
      const followUps = startFollowUpScheduler({
        pool,
        log: log.child({ part: 'follow-ups' }),
        intervalMs: env.FOLLOW_UP_INTERVAL_S * 1000,
      });
      cleanups.push(() => followUps.stop());
    }

    let broker: Aedes | undefined;
    let mqttUrl: string;
    let mqttWsUrl: string | undefined;
    let mqttsUrl: string | undefined;
    let brokerReady: () => boolean;
    if (env.MQTT_URL) {
      const source = await startMqttClientSource(ingest, {
        url: env.MQTT_URL,
        clientId: env.INGEST_CLIENT_ID,
        shareGroup: env.INGEST_SHARE_GROUP,
        log: log.child({ part: 'mqtt-source' }),
        ...(env.MQTT_USERNAME ? { username: env.MQTT_USERNAME } : {}),
        ...(env.MQTT_PASSWORD ? { password: env.MQTT_PASSWORD } : {}),
      });
      cleanups.push(() => source.stop());
      cleanups.push(() => ingest.close());
      const configs = startMqttConfigPublisher({
        url: env.MQTT_URL,
        clientId: `${env.INGEST_CLIENT_ID}-config`,
        log: log.child({ part: 'config-publisher' }),
        ...(env.MQTT_USERNAME ? { username: env.MQTT_USERNAME } : {}),
        ...(env.MQTT_PASSWORD ? { password: env.MQTT_PASSWORD } : {}),
      });
      services.devices.attachConfigPublisher(configs.publisher);
      cleanups.push(async () => {
        services.devices.attachConfigPublisher(undefined);
        await configs.stop();
      });
      // The external broker may have lost its retained copies; this waits for no connection.
      services.devices.republishConfigs().catch((err: unknown) => log.error({ err }, 'republishing configs failed'));
      mqttUrl = env.MQTT_URL;
      brokerReady = () => source.client.connected;
    } else {
      const brokerLog = log.child({ part: 'broker' });
      const created = await createBroker({
        ctx: {
          devices: services.devices,
          log: brokerLog,
          metrics,
          refuse: (kind, deviceId, reason) => {
            metrics.authFailures.inc({ kind });
            brokerLog.warn({ deviceId, kind, reason }, 'broker refused');
          },
          persist: embeddedBrokerSource(ingest),
          limits: {
            connectsPerDevicePerMin: env.MQTT_CONNECTS_PER_DEVICE_PER_MIN,
            authFailuresPerIpPerMin: env.MQTT_AUTH_FAILURES_PER_IP_PER_MIN,
          },
        },
      });
      broker = created.broker;
      const b = broker;
      // The API revokes devices (rotated secret, disabled) through this port, not the broker.
      services.devices.attachSessions(created.sessions);
      cleanups.push(async () => services.devices.attachSessions(undefined));
      // Configs go out retained through aedes, whose retained store lives in memory: they are
      // republished from the database before the first tracker can connect.
      services.devices.attachConfigPublisher(aedesConfigPublisher(b, brokerLog));
      cleanups.push(async () => services.devices.attachConfigPublisher(undefined));
      await services.devices.republishConfigs();
      // Every connection is read through the packet size check before aedes parses it. The
      // check is the hard ceiling that protects memory; a payload over the protocol's 256 KiB
      // but under it reaches ingest, which acknowledges it and keeps it as a dead letter.
      const oversized = (detail: Record<string, unknown>) => {
        metrics.oversizedPackets.inc();
        brokerLog.warn(
          { ...detail, limit: env.MQTT_MAX_PACKET_BYTES },
          'MQTT packet over the hard ceiling; connection closed',
        );
      };
      const guarded = (conn: Duplex, ip?: string, report = oversized) =>
        new PacketSizeGuard(
          conn,
          env.MQTT_MAX_PACKET_BYTES,
          (refusal, guard) =>
            report({
              ip: guard.remoteAddress,
              deviceId: (guard as PacketSizeGuard & { client?: { id?: string | null } }).client?.id,
              reason: refusal.reason,
              ...(refusal.reason === 'too_large' ? { remainingLength: refusal.remainingLength } : {}),
            }),
          ip,
        );
      const tcp = createTcpServer((socket) => b.handle(guarded(socket)));
      const port = await listenTcp(tcp, env.MQTT_PORT, env.MQTT_HOST);
      cleanups.push(() => closeServer(tcp));
      mqttUrl = `mqtt://${env.MQTT_HOST}:${port}`;
      if (tls) {
        const mqtts = createTlsServer(tls, (socket) => b.handle(guarded(socket)));
        mqtts.on('tlsClientError', (err) => brokerLog.debug({ err: err.message }, 'TLS handshake failed'));
        const tlsPort = await listenTcp(mqtts, env.MQTTS_PORT, env.MQTT_HOST);
        cleanups.push(() => closeServer(mqtts));
        mqttsUrl = `mqtts://${env.MQTT_HOST}:${tlsPort}`;
      }
      const http = tls ? createHttpsServer(tls) : createHttpServer();
      // maxPayload bounds one WebSocket frame; the guard bounds a packet spread over frames.
      const wss = new WebSocketServer({ server: http, path: '/mqtt', maxPayload: env.MQTT_MAX_PACKET_BYTES + 5 });
      wss.on('connection', (ws, req) => {
        // One frame over maxPayload is closed by ws itself (1009) before the guard sees it;
        // a connection is counted once, whichever of the two catches it first.
        let reported = false;
        const once = (detail: Record<string, unknown>) => {
          if (!reported) oversized(detail);
          reported = true;
        };
        ws.on('error', (err: Error & { code?: string }) => {
          if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
            once({ ip: req.socket.remoteAddress, reason: 'websocket_frame_too_large' });
        });
        b.handle(guarded(createWebSocketStream(ws), req.socket.remoteAddress, once), req);
      });
      const wsPort = await listenTcp(http, env.MQTT_WS_PORT, env.MQTT_HOST);
      cleanups.push(async () => {
        wss.close();
        await closeServer(http);
      });
      mqttWsUrl = `${tls ? 'wss' : 'ws'}://${env.MQTT_HOST}:${wsPort}/mqtt`;
      // Cleanups run in reverse: ingest stores what it accepted while the devices'
      // connections are still open to carry the PUBACKs, then the broker disconnects
      // them, and only then can the listening servers finish closing.
      cleanups.push(() => closeBroker(b));
      cleanups.push(() => ingest.close());
      brokerReady = () => !b.closed;
    }

    const listener = new ChangeListener(db.url, CHANGE_CHANNELS);
    await listener.start();
    cleanups.push(() => listener.stop());
    const live = new LiveHub({
      listener,
      metrics,
      log,
      load: (ids) => services.parcels.list(ids),
      loadExceptions: (ids) => services.exceptions.byIds(ids),
      loadAlerts: (ids) => services.alerts.byIds(ids),
    });

    const app = await buildApp({
      services,
      live,
      metrics,
      // Requests are logged at info; the API logs only what goes wrong (5xx in full).
      logger: pinoLog.child({ part: 'api' }, { level: 'warn' }),
      config: { mapTileUrl: env.MAP_TILE_URL ?? null, publicUrl: env.PUBLIC_URL },
      responseValidation: env.RESPONSE_VALIDATION,
      ...(tls ? { https: tls } : {}),
      readiness: async () => ({
        database: await pool.query('select 1').then(
          () => ({ ok: true }),
          (e: Error) => ({ ok: false, detail: e.message }),
        ),
        broker: brokerReady() ? { ok: true } : { ok: false, detail: 'not connected' },
        ingest:
          ingest.writer.healthy && ingest.lagMs() < 30_000
            ? { ok: true, detail: `lag ${ingest.lagMs()} ms` }
            : { ok: false, detail: `lag ${ingest.lagMs()} ms, writes ${ingest.writer.healthy ? 'ok' : 'failing'}` },
        live: listener.connected ? { ok: true } : { ok: false, detail: 'change listener reconnecting' },
      }),
    });
    cleanups.push(async () => {
      live.close();
      await app.close();
    });
    await app.listen({ port: env.HTTP_PORT, host: env.HTTP_HOST });
    const httpPort = (app.server.address() as AddressInfo).port;
    const httpUrl = `${tls ? 'https' : 'http'}://${env.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : env.HTTP_HOST}:${httpPort}`;

    return {
      env,
      httpUrl,
      mqttUrl,
      mqttWsUrl,
      mqttsUrl,
      databaseUrl: db.url,
      pool,
      services,
      ingest,
      conditions: monitor,
      metrics,
      log,
      app,
      broker,
      provisionDevice: (id) => services.devices.provision(id ? { id } : {}),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

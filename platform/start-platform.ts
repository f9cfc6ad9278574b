import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { loadEnv, type Env } from '../core/config/env.ts';
import type { Logger } from '../core/observability/logger.ts';
import { createMetrics, type Metrics } from '../core/observability/metrics.ts';
import type { Services } from '../core/services/index.ts';
import type { Pool } from '../core/storage/database.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import type { ConditionMonitor } from '../rules/condition-monitor.ts';
import { createLogger } from './logger.ts';
import { Steps } from './step-runner.ts';
import {
  readTls,
  startApi,
  startDatabase,
  startExternalConfigs,
  startLiveFeed,
  startPool,
  startRules,
  startServices,
  startTrackerInput,
  startWorkers,
} from './steps.ts';

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

/**
 * Composes the whole platform in one process: database (embedded or external), migrations,
 * services, workers, rules, ingest with its source (the embedded broker, or an MQTT client on
 * MQTT_URL), the live feed and the HTTP API with the dashboard. Used by platform/main.ts and
 * by the tests. Each step starts one part (platform/steps.ts); `stop` stops them in reverse.
 */
export async function startPlatform(opts: { env?: Record<string, string | undefined> } = {}): Promise<Platform> {
  const env = loadEnv(opts.env ?? process.env);
  const pinoLog = createLogger(env);
  const log: Logger = pinoLog;
  const metrics = createMetrics();
  const tls = readTls(env);
  const steps = new Steps(log);
  try {
    const db = await steps.run(startDatabase(env, log));
    const { pool } = await steps.run(startPool(db.url, metrics, log));
    const { services } = await steps.run(startServices(env, pool, log));
    await steps.run(startWorkers(env, pool, log, services));
    const { monitor } = await steps.run(startRules(pool, services, env, log));
    const input = await steps.run(startTrackerInput(env, { pool, services, monitor, metrics, log, tls }));
    await steps.run(startExternalConfigs(env, services, log));
    const { listener, live } = await steps.run(startLiveFeed(db.url, services, metrics, log));
    const { app, httpUrl } = await steps.run(
      startApi(env, { services, pool, input, listener, live, metrics, logger: pinoLog, tls }),
    );
    return {
      env,
      httpUrl,
      mqttUrl: input.mqttUrl,
      mqttWsUrl: input.mqttWsUrl,
      mqttsUrl: input.mqttsUrl,
      databaseUrl: db.url,
      pool,
      services,
      ingest: input.ingest,
      conditions: monitor,
      metrics,
      log,
      app,
      broker: input.broker,
      provisionDevice: (id) => services.devices.provision(id ? { id } : {}),
      stop: () => steps.stopAll(),
    };
  } catch (err) {
    await steps.stopAll();
    throw err;
  }
}

import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { loadEnv, type Env } from '../core/config/env.ts';
import { isAllRoles, ROLES, type Role } from '../core/config/roles.ts';
import type { Logger } from '../core/observability/logger.ts';
import { createMetrics, type Metrics } from '../core/observability/metrics.ts';
import type { Services } from '../core/services/index.ts';
import type { Pool } from '../core/storage/database.ts';
import type { IngestService } from '../ingest/ingest.service.ts';
import type { ConditionMonitor } from '../rules/condition-monitor.ts';
import { startNotificationDelivery } from '../workers/notification-delivery.ts';
import { startHealthServer } from './health-server.ts';
import { startEscalation, startLeaders, type Leaders } from './leaders.ts';
import { createLogger } from './logger.ts';
import { readinessOf } from './readiness.ts';
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
  type TrackerInput,
} from './steps.ts';

/** What every process has, whatever its roles. */
interface PlatformBase {
  env: Env;
  /** The roles this process runs (all three for `npm start`). */
  roles: readonly Role[];
  databaseUrl: string;
  pool: Pool;
  services: Services;
  metrics: Metrics;
  log: Logger;
  provisionDevice(id?: string): Promise<{ id: string; secret: string }>;
  /** Graceful: stops taking input, stores every accepted reading, then closes. */
  stop(): Promise<void>;
}

/** The api role: REST, the live feed and the dashboard. */
interface ApiPart {
  httpUrl: string;
  app: FastifyInstance;
}

/** The ingest role: tracker input, the pipeline and the rules that judge what it stores. */
interface IngestPart {
  /** Where trackers connect: the embedded broker, or MQTT_URL when external. */
  mqttUrl: string;
  /** MQTT over WebSocket on the embedded broker, if enabled. */
  mqttWsUrl: string | undefined;
  /** MQTT over TLS on the embedded broker, when a certificate is configured. */
  mqttsUrl: string | undefined;
  ingest: IngestService;
  /** Judges stored readings against condition profiles. */
  conditions: ConditionMonitor;
  broker: Aedes | undefined;
}

/** The jobs role: the deliveries and the once-only jobs this process may lead. */
interface JobsPart {
  leaders: Leaders;
}

/** Every role in one process: what `npm start` and the tests run. */
export interface Platform extends PlatformBase, ApiPart, IngestPart, JobsPart {}

/** A process of some roles: the parts of the roles it lacks are undefined. */
export interface RolePlatform extends PlatformBase, Partial<ApiPart & IngestPart & JobsPart> {
  /** The health listener (HEALTH_PORT) of a process without the api role. */
  healthUrl?: string;
}

type EnvSource = Record<string, string | undefined>;

/**
 * Composes the platform in one process from the steps of its roles (platform/steps.ts):
 * database (embedded or external) and migrations for every role; then the jobs (workers,
 * leader locks, escalation), the ingest role (rules, tracker input), and the api (live feed,
 * HTTP API with the dashboard), or in a process without the api a health listener. Used by
 * platform/main.ts and by the tests. `roles` defaults to all (ROLES in `env` is not read
 * here: main.ts passes it), so the type says what is there. `stop` stops in reverse.
 */
export function startPlatform(opts?: { env?: EnvSource }): Promise<Platform>;
export function startPlatform(opts: { env?: EnvSource; roles: readonly Role[] }): Promise<RolePlatform>;
export async function startPlatform(
  opts: { env?: EnvSource; roles?: readonly Role[] } = {},
): Promise<Platform | RolePlatform> {
  const roles = opts.roles ?? ROLES;
  // Parsed with the roles, so a role that needs DATABASE_URL fails here with its ConfigError.
  const env = loadEnv({ ...(opts.env ?? process.env), ROLES: roles.join(',') });
  const has = (r: Role) => roles.includes(r);
  const pinoLog = createLogger(env);
  const log: Logger = pinoLog.child(isAllRoles(roles) ? {} : { roles: roles.join(',') });
  const metrics = createMetrics();
  const tls = readTls(env);
  const steps = new Steps(log);
  try {
    const db = await steps.run(startDatabase(env, log));
    const { pool } = await steps.run(startPool(db.url, metrics, log));
    const { services } = await steps.run(startServices(env, pool, log, { firstAdmin: has('api') }));
    let leaders: Leaders | undefined;
    if (has('jobs')) {
      leaders = await steps.run(startLeaders(env, db.url, metrics, log));
      await steps.run(startWorkers(env, pool, log, services, leaders));
      await steps.run(startEscalation(services, leaders, log));
    } else if (has('api')) {
      // "Send a test" of a notification channel is the API's; only the loop is the jobs'.
      const stop = startNotificationDelivery(env, pool, log, services, { loop: false });
      await steps.run(Promise.resolve({ stop }));
    }
    let input: TrackerInput | undefined;
    let monitor: ConditionMonitor | undefined;
    if (has('ingest')) {
      ({ monitor } = await steps.run(startRules(pool, services, env, log)));
      input = await steps.run(startTrackerInput(env, { pool, services, monitor, metrics, log, tls }));
    }
    let api: ApiPart | undefined;
    let healthUrl: string | undefined;
    if (has('api')) {
      // Tracker configs are changed through the API; with an external broker it publishes them.
      await steps.run(startExternalConfigs(env, services, log));
      const { listener, live } = await steps.run(startLiveFeed(db.url, services, metrics, log));
      api = await steps.run(startApi(env, { services, pool, input, listener, live, metrics, logger: pinoLog, tls }));
    } else {
      const readiness = readinessOf({ pool, input, leaders });
      ({ healthUrl } = await steps.run(startHealthServer(env, { metrics, auth: services.auth, readiness, log })));
    }
    return {
      env,
      roles,
      databaseUrl: db.url,
      pool,
      services,
      metrics,
      log,
      provisionDevice: (id) => services.devices.provision(id ? { id } : {}),
      stop: () => steps.stopAll(),
      ...(api ? { httpUrl: api.httpUrl, app: api.app } : {}),
      ...(healthUrl ? { healthUrl } : {}),
      ...(input && monitor
        ? {
            mqttUrl: input.mqttUrl,
            mqttWsUrl: input.mqttWsUrl,
            mqttsUrl: input.mqttsUrl,
            ingest: input.ingest,
            conditions: monitor,
            broker: input.broker,
          }
        : {}),
      ...(leaders ? { leaders } : {}),
    };
  } catch (err) {
    await steps.stopAll();
    throw err;
  }
}

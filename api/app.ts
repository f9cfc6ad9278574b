import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Metrics } from '../core/observability/metrics.ts';
import type { Services } from '../core/services/index.ts';
import type { ResponseValidation, RouteBook } from './http/route.ts';
import type { LiveHub } from './live-hub.ts';
import { buildOpenApi } from './openapi.ts';
import { registerApiDocs } from './plugins/api-docs.ts';
import { registerDashboard } from './plugins/dashboard.ts';
import { registerAuth } from './plugins/auth.ts';
import { frameworkErrors, registerErrorHandler, registerNotFoundHandler } from './plugins/error-handler.ts';
import { registerInputGuard } from './plugins/input-guard.ts';
import carrierEventRoutes from './routes/api/carrier-events/index.ts';
import creatorRoutes from './routes/api/creators/index.ts';
import followUpTaskRoutes from './routes/api/follow-up-tasks/index.ts';
import deadLetterRoutes from './routes/api/dead-letters/index.ts';
import deviceRoutes from './routes/api/devices/index.ts';
import alertRoutes from './routes/api/alerts/index.ts';
import exceptionRoutes from './routes/api/exceptions/index.ts';
import webhookRoutes from './routes/api/webhook-subscriptions/index.ts';
import kpiRoutes from './routes/api/kpis/index.ts';
import liveRoutes from './routes/api/live/index.ts';
import parcelRoutes from './routes/api/parcels/index.ts';
import productRoutes from './routes/api/products/index.ts';
import sampleRoutes from './routes/api/samples/index.ts';
import sampleRequestRoutes from './routes/api/sample-requests/index.ts';
import outboxRoutes from './routes/api/outbox/index.ts';
import claimRoutes from './routes/api/claims/index.ts';
import configRoutes from './routes/api/config/index.ts';
import healthRoutes from './routes/health.ts';
import auditRoutes from './routes/api/audit/index.ts';
import authRoutes from './routes/api/auth/index.ts';
import tokenRoutes from './routes/api/tokens/index.ts';
import userRoutes from './routes/api/users/index.ts';
import policyRoutes from './routes/api/policy/index.ts';
import approvalRoutes from './routes/api/approvals/index.ts';
import creatorPageRoutes from './routes/c/index.ts';
import campaignRoutes from './routes/api/campaigns/index.ts';
import messageTemplateRoutes from './routes/api/message-templates/index.ts';
import creatorMessageRoutes from './routes/api/creator-messages/index.ts';
import sampleMessageRoutes from './routes/api/samples/messages.ts';
import carrierIntegrationRoutes from './routes/api/integrations/carriers.ts';
import tiktokIntegrationRoutes from './routes/api/integrations/tiktok/index.ts';
import notificationRoutes from './routes/api/notifications/index.ts';
import engineAuthRoutes from './routes/internal/engine-auth.ts';

export type ReadinessCheck = { ok: boolean; detail?: string };

export interface ApiDeps {
  services: Services;
  live: LiveHub;
  metrics: Metrics;
  routes: RouteBook;
  readiness: () => Promise<Record<string, ReadinessCheck>>;
  /** Deployment facts the dashboard reads from /api/config. */
  config: { mapTileUrl: string | null; publicUrl: string };
}

export interface BuildAppOptions extends Omit<ApiDeps, 'routes'> {
  /** Where 5xx errors are logged (in full; clients see only a code). */
  logger?: FastifyBaseLogger;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  https?: { cert: Buffer; key: Buffer };
  /** Serve the built dashboard at / (default true). */
  dashboard?: boolean;
  /** ENGINE_AUTH_TOKEN: serve the engine's HTTP auth hook under /internal/engine-auth/<token>. */
  engineAuthToken?: string;
  /** What to do with a response that does not match its schema (default: log it). */
  responseValidation?: ResponseValidation;
}

/** Builds the HTTP API. No socket is opened here; `listen` belongs to the caller (main). */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const options = {
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    frameworkErrors,
  };
  // With a certificate the same API, dashboard and /api/live serve HTTPS and WSS. The
  // routes never touch the server type, so the HTTPS instance is used as the plain one.
  const app: FastifyInstance = opts.https
    ? (Fastify({ ...options, https: opts.https }) as unknown as FastifyInstance)
    : Fastify(options);
  const deps: ApiDeps = { ...opts, routes: [] };
  app.decorate('responseValidation', opts.responseValidation ?? 'log');
  registerErrorHandler(app);
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  // Before any route: every route's `access` is checked in this hook. After the WebSocket
  // plugin, whose own onRequest hook must mark an upgrade so a refused one is closed.
  registerAuth(app, opts.services);
  registerInputGuard(app);

  for (const register of [
    deviceRoutes,
    sampleRequestRoutes,
    sampleRoutes,
    outboxRoutes,
    claimRoutes,
    parcelRoutes,
    exceptionRoutes,
    alertRoutes,
    webhookRoutes,
    deadLetterRoutes,
    liveRoutes,
    configRoutes,
    healthRoutes,
    creatorRoutes,
    followUpTaskRoutes,
    productRoutes,
    carrierEventRoutes,
    kpiRoutes,
    authRoutes,
    userRoutes,
    tokenRoutes,
    auditRoutes,
    approvalRoutes,
    creatorPageRoutes,
    campaignRoutes,
    messageTemplateRoutes,
    creatorMessageRoutes,
    sampleMessageRoutes,
    carrierIntegrationRoutes,
    tiktokIntegrationRoutes,
    notificationRoutes,
  ]) {
    register(app, deps);
  }
  policyRoutes(app, deps);
  engineAuthRoutes(app, deps, opts.engineAuthToken);
  const openapi = buildOpenApi(deps.routes, { version: '1' });
  app.get('/openapi.json', async () => openapi);
  await registerApiDocs(app, openapi);

  const dashboard = opts.dashboard !== false && (await registerDashboard(app));
  registerNotFoundHandler(app, { spaFallback: dashboard });
  return app;
}

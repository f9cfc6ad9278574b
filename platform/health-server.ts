import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadinessCheck } from '../api/app.ts';
import type { Env } from '../core/config/env.ts';
import { allows } from '../core/domain/auth/roles.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { AuthService } from '../core/services/auth.service.ts';
import type { Stoppable } from './step-runner.ts';

// As on the API's /metrics (api/routes/health.ts): a Prometheus job's integration token, or an admin.
const METRICS = ['admin', 'integration'] as const;

/**
 * The one listener of a process without the API role (an ingest worker, a jobs process):
 * GET /healthz, /readyz and /metrics, on HEALTH_HOST:HEALTH_PORT. Plain node:http, not the
 * API app: such a process serves no route of the API, not even by mistake.
 */
export async function startHealthServer(
  env: Env,
  o: {
    metrics: Metrics;
    auth: Pick<AuthService, 'byToken'>;
    readiness: () => Promise<Record<string, ReadinessCheck>>;
    log: Logger;
  },
): Promise<{ healthUrl: string } & Stoppable> {
  const server = createServer((req, res) => {
    handle(req, res, o).catch((err: unknown) => {
      o.log.error({ err }, 'health listener failed');
      if (!res.headersSent) send(res, 500, error('INTERNAL', 'internal error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.HEALTH_PORT, env.HEALTH_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = env.HEALTH_HOST === '0.0.0.0' ? '127.0.0.1' : env.HEALTH_HOST;
  return {
    healthUrl: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  o: Parameters<typeof startHealthServer>[1],
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 404, error('ROUTE_NOT_FOUND', `no route ${req.method} ${path}`));
    return;
  }
  if (path === '/healthz') return send(res, 200, { ok: true });
  if (path === '/readyz') {
    const checks = await o.readiness();
    const ready = Object.values(checks).every((c) => c.ok);
    return send(res, ready ? 200 : 503, { ready, checks });
  }
  if (path === '/metrics') {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const principal = token ? await o.auth.byToken(token) : undefined;
    if (!principal) return send(res, 401, error('UNAUTHENTICATED', 'send an API token (admin or integration)'));
    if (!allows(METRICS, principal.role))
      return send(res, 403, error('FORBIDDEN', `role ${principal.role} may not GET /metrics`));
    res.writeHead(200, { 'content-type': o.metrics.registry.contentType });
    res.end(await o.metrics.registry.metrics());
    return;
  }
  send(res, 404, error('ROUTE_NOT_FOUND', `no route ${req.method} ${path}`));
}

const error = (code: string, message: string) => ({ error: { code, message } });

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

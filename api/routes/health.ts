import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../http/route.ts';
import type { ApiDeps } from '../app.ts';

// Scraped by a Prometheus job with a bearer token (an integration token), or read by an admin.
const METRICS = ['admin', 'integration'] as const;

const Check = z.object({ ok: z.boolean(), detail: z.string().optional() });
const Readiness = z.object({ ready: z.boolean(), checks: z.record(z.string(), Check) }).meta({ id: 'Readiness' });

export default function healthRoutes(app: FastifyInstance, { routes, readiness, metrics }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/healthz',
    tags: ['operations'],
    access: 'public',
    summary: 'Liveness: the process is up and serving',
    responses: { 200: z.object({ ok: z.literal(true) }) },
    handler: async () => ({ ok: true as const }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/readyz',
    tags: ['operations'],
    access: 'public',
    summary: 'Readiness: database, broker and ingest lag; 503 when any is not ready',
    responses: { 200: Readiness, 503: Readiness },
    handler: async ({ reply }) => {
      const checks = await readiness();
      const ready = Object.values(checks).every((c) => c.ok);
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/metrics',
    tags: ['operations'],
    access: METRICS,
    summary: 'Prometheus metrics',
    responses: { 200: null },
    handler: async ({ reply }) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  });
}

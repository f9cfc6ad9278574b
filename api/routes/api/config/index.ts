import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';

/** GET /api/config: deployment facts the dashboard reads before anything else. */
export default function configRoutes(app: FastifyInstance, { routes, config }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/config',
    tags: ['operations'],
    access: 'public',
    summary: 'What the dashboard needs to know about this deployment (map tiles, public URL)',
    responses: { 200: z.object({ mapTileUrl: z.string().nullable(), publicUrl: z.string() }) },
    handler: async () => config,
  });
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_BUILD = fileURLToPath(new URL('../../dashboard/build/', import.meta.url));

/**
 * Serves the built dashboard on the API's own port. The not-found handler (error-handler.ts)
 * falls back to index.html for page paths, so client-side routes survive a reload.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_BUILD): Promise<boolean> {
  if (!existsSync(`${dir}index.html`)) return false;
  await app.register(fastifyStatic, { root: dir, wildcard: false, index: ['index.html'] });
  return true;
}

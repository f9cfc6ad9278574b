import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_BUILD = fileURLToPath(new URL('../../dashboard/build/', import.meta.url));

/**
 * Serves the built dashboard on the API's own port. The not-found handler (error-handler.ts)
 * falls back to index.html for page paths, so client-side routes survive a reload.
 *
 * `dashboard/build` is a symlink to the current build (platform/dashboard-build.ts). It is
 * resolved once, here: the static plugin fixes its file list at start, so this server keeps
 * serving the build it started with while a newer one is built and linked beside it.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_BUILD): Promise<boolean> {
  if (!existsSync(`${dir}index.html`)) return false;
  await app.register(fastifyStatic, { root: `${realpathSync(dir)}/`, wildcard: false, index: ['index.html'] });
  return true;
}

import { join } from 'node:path';
import pg from 'pg';
import type { Env } from '../core/config/env.ts';
import { startEmbeddedPostgres } from '../core/storage/embedded-postgres.ts';
import type { Logger } from '../core/observability/logger.ts';

/**
 * The database the platform runs on: DATABASE_URL when set, otherwise an embedded
 * PostgreSQL under DATA_DIR with a `sampletrack` database created on first start.
 */
export async function openDatabase(env: Env, log: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, stop: async () => {} };
  const embedded = await startEmbeddedPostgres({
    dir: join(env.DATA_DIR, 'postgres'),
    port: env.EMBEDDED_PG_PORT,
    log: (line) => log.debug({ pg: line.trim() }, 'embedded postgres'),
    notice: (message, detail) => log.warn(detail, message),
  });
  const admin = new pg.Client({ connectionString: embedded.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("select 1 from pg_database where datname = 'sampletrack'");
    if (!rowCount) await admin.query('create database sampletrack');
  } finally {
    await admin.end();
  }
  const url = new URL(embedded.url);
  url.pathname = '/sampletrack';
  log.info({ port: env.EMBEDDED_PG_PORT, dir: join(env.DATA_DIR, 'postgres') }, 'embedded PostgreSQL started');
  return { url: url.toString(), stop: embedded.stop };
}

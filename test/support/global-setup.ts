import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../core/storage/embedded-postgres.ts';
import { migrate } from '../../core/storage/migrate.ts';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server-level URL; each test file makes its own database from the template. */
    pgServerUrl: string;
    pgTemplate: string;
  }
}

/**
 * One PostgreSQL for the run: TEST_DATABASE_URL (an external server, as CI's second pass
 * uses) or an embedded one on a random port. Migrations are applied once to a template
 * database; every test file clones it, so files never see each other's data.
 */
export default async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!serverUrl) {
    dir = await mkdtemp(join(tmpdir(), 'sampletrack-pg-'));
    const { chmod } = await import('node:fs/promises');
    await chmod(dir, 0o777);
    const db = await startEmbeddedPostgres({ dir: join(dir, 'db'), port: await freePort() });
    serverUrl = db.url;
    stop = db.stop;
  }
  const template = `tmpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const tmpl = new pg.Client({ connectionString: withDatabase(serverUrl, template) });
  await tmpl.connect();
  await migrate(tmpl);
  await tmpl.end();
  project.provide('pgServerUrl', serverUrl);
  project.provide('pgTemplate', template);

  return async () => {
    // Drop what this run made on a shared server; an embedded one goes away whole.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1 or datname = $2`,
      [`t\\_${template}\\_%`, template],
    );
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
    await admin.end();
    await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

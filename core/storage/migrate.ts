import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ADVISORY_LOCKS } from './leader-lock.ts';
import type { Sql } from './sql.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Applied only when this extension is installed; recorded as skipped otherwise. */
  requires?: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(dir + file, 'utf8');
      const requires = /^--\s*requires:\s*(\S+)/m.exec(sql)?.[1];
      return { version: Number.parseInt(file, 10), name: file, sql, ...(requires ? { requires } : {}) };
    }),
  );
}

const MIGRATION_LOCK = ADVISORY_LOCKS.migrate;

/**
 * Applies the numbered migrations not yet applied, in order, each in its own
 * transaction. An advisory lock makes concurrent starts (every role's process runs this)
 * wait for each other instead of racing; the one that waited finds nothing left to apply.
 * The lock and each `begin … commit` belong to one session, so a pool lends one client
 * for the whole run (on a pool each query could land on another connection).
 */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<{ applied: string[]; skipped: string[] }> {
  const all = migrations ?? (await loadMigrations());
  if (!(sql instanceof pg.Pool)) return migrateOn(sql, all);
  const client = await sql.connect();
  try {
    const result = await migrateOn(client, all);
    client.release();
    return result;
  } catch (err) {
    // Its session may still hold the lock or a transaction: closed, never lent again.
    client.release(true);
    throw err;
  }
}

async function migrateOn(sql: Sql, all: Migration[]): Promise<{ applied: string[]; skipped: string[] }> {
  await sql.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await sql.query(`create table if not exists schema_migrations (
      version integer primary key, name text not null, skipped boolean not null default false,
      applied_at timestamptz not null default now())`);
    const done = new Set(
      (await sql.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => r.version),
    );
    const applied: string[] = [];
    const skipped: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      const missing = m.requires && !(await hasExtension(sql, m.requires));
      await sql.query('begin');
      try {
        if (!missing) await sql.query(m.sql);
        await sql.query('insert into schema_migrations (version, name, skipped) values ($1, $2, $3)', [
          m.version,
          m.name,
          Boolean(missing),
        ]);
        await sql.query('commit');
      } catch (err) {
        await sql.query('rollback');
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      (missing ? skipped : applied).push(m.name);
    }
    return { applied, skipped };
  } finally {
    await sql.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}

export async function hasExtension(sql: Sql, name: string): Promise<boolean> {
  const { rows } = await sql.query('select 1 from pg_extension where extname = $1', [name]);
  return rows.length > 0;
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { withDatabase } from '../../test/support/global-setup.ts';
import { createPool } from './database.ts';
import { loadMigrations, migrate } from './migrate.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('migrate (real PostgreSQL)', () => {
  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db.pool)).toEqual({ applied: [], skipped: [] });
  });

  it('recorded every migration, the Timescale-only ones as skipped on plain PostgreSQL', async () => {
    const { rows } = await db.pool.query('select name, skipped from schema_migrations order by version');
    const files = await loadMigrations();
    expect(rows.map((r) => r.name)).toEqual(files.map((f) => f.name));
    const hasTs = (await db.pool.query("select 1 from pg_extension where extname='timescaledb'")).rowCount;
    if (!hasTs) expect(rows.filter((r) => r.skipped).map((r) => r.name)).toEqual(['003_timescale_hourly.sql']);
  });

  it('two processes migrating one empty database at once: one applies everything, the other nothing, no error', async () => {
    // Two pools stand for two role processes starting together (each with its own sessions).
    const server = inject('pgServerUrl');
    const name = `t_migrate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const a = createPool(withDatabase(server, name), 3);
    const b = createPool(withDatabase(server, name), 3);
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      const files = await loadMigrations();
      const total = results.map((r) => r.applied.length + r.skipped.length).sort((x, y) => x - y);
      expect(total).toEqual([0, files.length]);
      const { rows } = await a.query('select count(*)::int as n from schema_migrations');
      expect(rows[0]!.n).toBe(files.length);
      // The lock is released with the run: nothing of it is left on either pool's sessions.
      const held = await a.query(`select count(*)::int as n from pg_locks where locktype = 'advisory'
           and database = (select oid from pg_database where datname = current_database())`);
      expect(held.rows[0]!.n).toBe(0);
    } finally {
      await a.end();
      await b.end();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});

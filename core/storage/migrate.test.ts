import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
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
});

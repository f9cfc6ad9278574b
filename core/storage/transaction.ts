import type { Pool } from './database.ts';
import type { Sql } from './sql.ts';

/**
 * Runs `fn` in one database transaction on a dedicated connection: commit when it
 * resolves, rollback when it throws. Repositories built over `tx` take part in it.
 */
export async function withTransaction<T>(pool: Pool, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** PostgreSQL unique_violation, optionally on one constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

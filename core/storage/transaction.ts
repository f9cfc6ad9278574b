import type { Pool } from './database.ts';
import type { Sql } from './sql.ts';

/**
 * Runs `fn` in one database transaction on a dedicated connection: commit when it
 * resolves, rollback when it throws. Repositories built over `tx` take part in it.
 */
export async function withTransaction<T>(pool: Pool, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client whose connection dies (database restart) emits 'error'; without a
  // listener that would crash the process. The failing query rejects anyway, so note it and
  // throw the connection away instead of returning it to the pool.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/** Thrown to roll a preview's transaction back; never leaves inRolledBackTransaction. */
class PreviewRollback<T> extends Error {
  constructor(readonly result: T) {
    super('preview rolled back');
  }
}

/** Runs `work` in a transaction that is always rolled back, and returns what it computed. */
export async function inRolledBackTransaction<T>(pool: Pool, work: (tx: Sql) => Promise<T>): Promise<T> {
  try {
    await withTransaction(pool, async (tx) => {
      throw new PreviewRollback(await work(tx));
    });
  } catch (err) {
    if (err instanceof PreviewRollback) return err.result as T;
    throw err;
  }
  throw new Error('unreachable: a preview transaction committed');
}

/** PostgreSQL unique_violation, optionally on one constraint or index. */
/**
 * A PostgreSQL "data exception" (SQLSTATE class 22: a value out of a column's range, text
 * it cannot hold): the data is at fault, so retrying the same statement cannot help.
 */
export function isDataException(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && typeof e.severity === 'string';
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

import pg from 'pg';

// Postgres bigint (int8) and numeric arrive as strings by default; our counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));

export type Pool = pg.Pool;

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'sampletrack' });
  // An idle client losing its connection (database restart) must not crash the process;
  // the next query gets a fresh connection or a clear error.
  pool.on('error', () => {});
  return pool;
}

/**
 * The one thing storage needs from a database client: node-postgres' Pool and Client
 * fit it, and so does a thin adapter over PGlite (the Timescale test uses one).
 * A query without parameters may hold several statements.
 */
export interface Sql {
  query<R = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount?: number | null }>;
}

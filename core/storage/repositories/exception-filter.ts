/** Which exceptions the inbox asks for. Every field narrows; an absent one does not. */
export interface ExceptionFilter {
  severity?: readonly string[];
  type?: readonly string[];
  stage?: readonly string[];
  status?: readonly string[];
  sampleId?: string;
  /** The creator's handle (any case) or creator id. */
  creator?: string;
  /** When the platform raised it (`opened_at`), from (inclusive) / before (exclusive). */
  openedFrom?: string;
  openedBefore?: string;
  /** Event time the condition began (`started_at`), from (inclusive) / before (exclusive). */
  startedFrom?: string;
  startedBefore?: string;
}

/**
 * The filter as a WHERE clause over `condition_exceptions e join samples s`, with its
 * parameters ($1…$10; a query appends its own after them). One fixed text with null
 * guards rather than text built per filter: node-postgres sends unnamed statements, which
 * PostgreSQL plans with the actual values, so an absent filter costs nothing.
 */
export function filterSql(f: ExceptionFilter): { where: string; params: unknown[] } {
  const list = (v: readonly string[] | undefined) => (v && v.length ? [...v] : null);
  return {
    where: `($1::text[] is null or e.severity = any($1)) and ($2::text[] is null or e.type = any($2))
      and ($3::text[] is null or e.stage = any($3)) and ($4::text[] is null or e.status = any($4))
      and ($5::text is null or e.sample_id = $5)
      and ($6::text is null or lower(s.creator) = lower($6) or s.creator_id = $6)
      and ($7::timestamptz is null or e.opened_at >= $7) and ($8::timestamptz is null or e.opened_at < $8)
      and ($9::timestamptz is null or e.started_at >= $9) and ($10::timestamptz is null or e.started_at < $10)`,
    params: [
      list(f.severity),
      list(f.type),
      list(f.stage),
      list(f.status),
      f.sampleId ?? null,
      f.creator ?? null,
      f.openedFrom ?? null,
      f.openedBefore ?? null,
      f.startedFrom ?? null,
      f.startedBefore ?? null,
    ],
  };
}

import type { FollowUp } from '../../domain/sample/follow-up.ts';
import type { Sql } from '../sql.ts';

export interface FollowUpRow {
  key: string;
  sampleId: string;
  action: string;
  audience: string;
  dueAt: Date;
  firedAt: Date;
  data: Record<string, unknown>;
}

/** Follow-ups that fired, one row per idempotency key. */
export class FollowUpRepository {
  constructor(private readonly sql: Sql) {}

  /** Records the follow-up; false when its key fired before (then nothing may be done again). */
  async insert(f: FollowUp, firedAt: Date): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `insert into follow_ups (key, sample_id, action, audience, due_at, fired_at, data)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (key) do nothing`,
      [f.key, f.sampleId, f.action, f.audience, new Date(f.dueAt), firedAt, JSON.stringify(f.data ?? {})],
    );
    return rowCount === 1;
  }

  async ofSample(sampleId: string): Promise<FollowUpRow[]> {
    const { rows } = await this.sql.query<FollowUpRow>(
      `select key, sample_id as "sampleId", action, audience, due_at as "dueAt", fired_at as "firedAt", data
       from follow_ups where sample_id = $1 order by fired_at, key`,
      [sampleId],
    );
    return rows;
  }
}

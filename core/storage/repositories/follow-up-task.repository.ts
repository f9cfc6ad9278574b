import type { FollowUp } from '../../domain/sample/follow-up.ts';
import type { Sql } from '../sql.ts';

export interface FollowUpTaskRow {
  id: number;
  followUpKey: string;
  sampleId: string;
  action: string;
  audience: string;
  ownerId: number | null;
  ownerName: string | null;
  dueAt: string;
  createdAt: string;
  doneAt: string | null;
  doneBy: number | null;
  doneByName: string | null;
  note: string | null;
  /** The follow-up's data (e.g. the exception's status and suspected cause). */
  data: Record<string, unknown>;
  /** What the person needs to find the sample: no PII (the creator by id and handle). */
  sample: { creator: string; creatorId: string | null; sku: string; campaign: string | null; status: string };
}

export interface TaskFilter {
  status?: 'open' | 'done';
  /** A user id, or 'unassigned'. */
  owner?: number | 'unassigned';
  sort: 'due' | '-due';
  limit: number;
  offset: number;
}

const iso = (col: string) => `to_json(${col})#>>'{}'`;
const SELECT = `select t.id::int, t.follow_up_key as "followUpKey", t.sample_id as "sampleId", t.action, t.audience,
  t.owner_id::int as "ownerId", o.name as "ownerName", ${iso('t.due_at')} as "dueAt", ${iso('t.created_at')} as "createdAt",
  ${iso('t.done_at')} as "doneAt", t.done_by::int as "doneBy", d.name as "doneByName", t.note, f.data,
  json_build_object('creator', s.creator, 'creatorId', s.creator_id, 'sku', s.sku, 'campaign', s.campaign,
    'status', s.status) as sample
  from follow_up_tasks t
  join follow_ups f on f.key = t.follow_up_key
  join samples s on s.id = t.sample_id
  left join users o on o.id = t.owner_id
  left join users d on d.id = t.done_by`;

/** The work queue: one task per follow-up that needs a person (isHumanFollowUp). */
export class FollowUpTaskRepository {
  constructor(private readonly sql: Sql) {}

  /** The task of a follow-up that just fired; due when the follow-up fell due. */
  async insertFor(f: FollowUp, at: Date): Promise<void> {
    await this.sql.query(
      `insert into follow_up_tasks (follow_up_key, sample_id, action, audience, due_at, created_at)
       values ($1, $2, $3, $4, $5, $6) on conflict (follow_up_key) do nothing`,
      [f.key, f.sampleId, f.action, f.audience, new Date(f.dueAt), at],
    );
  }

  async get(id: number, opts: { forUpdate?: boolean } = {}): Promise<FollowUpTaskRow | undefined> {
    const lock = opts.forUpdate ? ' for update of t' : '';
    const { rows } = await this.sql.query<FollowUpTaskRow>(`${SELECT} where t.id = $1${lock}`, [id]);
    return rows[0];
  }

  async list(f: TaskFilter): Promise<FollowUpTaskRow[]> {
    const { rows } = await this.sql.query<FollowUpTaskRow>(
      `${SELECT}
       where ($1::text is null or ($1 = 'open') = (t.done_at is null))
         and ($2::text is null or ($2 = 'unassigned' and t.owner_id is null) or t.owner_id::text = $2)
       order by t.due_at ${f.sort === '-due' ? 'desc' : 'asc'}, t.id limit $3 offset $4`,
      [f.status ?? null, f.owner === undefined ? null : String(f.owner), f.limit, f.offset],
    );
    return rows;
  }

  async assign(id: number, ownerId: number | null): Promise<void> {
    await this.sql.query('update follow_up_tasks set owner_id = $2 where id = $1', [id, ownerId]);
  }

  async complete(id: number, by: number, at: Date, note: string | null): Promise<void> {
    await this.sql.query('update follow_up_tasks set done_at = $3, done_by = $2, note = $4 where id = $1', [
      id,
      by,
      at,
      note,
    ]);
  }
}

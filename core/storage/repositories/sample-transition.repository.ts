import type { Transition } from '../../domain/sample/sample-state.ts';
import type { Sql } from '../sql.ts';

export interface TransitionRow {
  id: number;
  sampleId: string;
  event: string;
  from: string | null;
  to: string;
  actor: { kind: string; id: string };
  reason: string | null;
  data: Record<string, unknown>;
  at: Date;
  recordedAt: Date;
}

const COLUMNS = `id, sample_id as "sampleId", event, from_status as "from", to_status as "to",
  json_build_object('kind', actor_kind, 'id', actor_id) as actor, reason, data, at, recorded_at as "recordedAt"`;

/** The sample's history; appended in the transaction that changes the sample's status. */
export class SampleTransitionRepository {
  constructor(private readonly sql: Sql) {}

  async append(t: Transition): Promise<TransitionRow> {
    const { rows } = await this.sql.query<TransitionRow>(
      `insert into sample_transitions (sample_id, event, from_status, to_status, actor_kind, actor_id, reason, data, at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${COLUMNS}`,
      [t.sampleId, t.event, t.from, t.to, t.actor.kind, t.actor.id, t.reason ?? null, JSON.stringify(t.data), new Date(t.at)],
    );
    return rows[0]!;
  }

  /** In the order the transitions were applied. */
  async ofSample(sampleId: string): Promise<TransitionRow[]> {
    const { rows } = await this.sql.query<TransitionRow>(
      `select ${COLUMNS} from sample_transitions where sample_id = $1 order by id`,
      [sampleId],
    );
    return rows;
  }
}

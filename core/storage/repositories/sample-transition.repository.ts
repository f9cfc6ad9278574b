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
  /** The event time is older than what the sample showed when it was recorded: placed by `recordedAt`. */
  late: boolean;
}

const COLUMNS = `id, sample_id as "sampleId", event, from_status as "from", to_status as "to",
  json_build_object('kind', actor_kind, 'id', actor_id) as actor, reason, data, at, recorded_at as "recordedAt", late`;

/** The sample's history; appended in the transaction that changes the sample's status. */
export class SampleTransitionRepository {
  constructor(private readonly sql: Sql) {}

  async append(t: Transition): Promise<TransitionRow> {
    const { rows } = await this.sql.query<TransitionRow>(
      `insert into sample_transitions (sample_id, event, from_status, to_status, actor_kind, actor_id, reason, data, at,
         recorded_at, late)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, now()), $11) returning ${COLUMNS}`,
      [
        t.sampleId,
        t.event,
        t.from,
        t.to,
        t.actor.kind,
        t.actor.id,
        t.reason ?? null,
        JSON.stringify(t.data),
        new Date(t.at),
        t.recordedAt === undefined ? null : new Date(t.recordedAt),
        t.late === true,
      ],
    );
    return rows[0]!;
  }

  /** In the order the transitions were recorded (a late one after what was shown before it). */
  async ofSample(sampleId: string): Promise<TransitionRow[]> {
    const { rows } = await this.sql.query<TransitionRow>(
      `select ${COLUMNS} from sample_transitions where sample_id = $1 order by id`,
      [sampleId],
    );
    return rows;
  }
}

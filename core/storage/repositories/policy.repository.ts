import type { ProgramPolicy } from '../../domain/sample/program-policy.ts';
import type { Sql } from '../sql.ts';

/** The stored policy as saved: sections are parsed by the service (program-policy.ts). */
export interface StoredPolicy {
  approval: unknown;
  followUp: unknown;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

const COLUMNS = `approval, follow_up as "followUp", version, to_json(updated_at)#>>'{}' as "updatedAt", updated_by as "updatedBy"`;

/** The one program_policy row (migration 017). */
export class PolicyRepository {
  constructor(private readonly sql: Sql) {}

  /** The stored policy, if any; `forUpdate` locks it until the transaction ends. */
  async get(opts: { forUpdate?: boolean } = {}): Promise<StoredPolicy | undefined> {
    const { rows } = await this.sql.query<StoredPolicy>(
      `select ${COLUMNS} from program_policy${opts.forUpdate ? ' for update' : ''}`,
    );
    return rows[0];
  }

  /** The first saved policy; undefined when another process saved one first. */
  async insert(policy: ProgramPolicy, version: number, by: string, at: Date): Promise<StoredPolicy | undefined> {
    const { rows } = await this.sql.query<StoredPolicy>(
      `insert into program_policy (approval, follow_up, version, updated_by, updated_at) values ($1, $2, $3, $4, $5)
       on conflict (id) do nothing
       returning ${COLUMNS}`,
      [JSON.stringify(policy.approval), JSON.stringify(policy.followUp), version, by, at],
    );
    return rows[0];
  }

  async save(policy: ProgramPolicy, version: number, by: string, at: Date): Promise<StoredPolicy> {
    const { rows } = await this.sql.query<StoredPolicy>(
      `update program_policy set approval = $1, follow_up = $2, version = $3, updated_by = $4, updated_at = $5
       returning ${COLUMNS}`,
      [JSON.stringify(policy.approval), JSON.stringify(policy.followUp), version, by, at],
    );
    return rows[0]!;
  }
}

import type { ClaimStatus } from '../../domain/sample/claim.ts';
import type { Sql } from '../sql.ts';

export interface ClaimRow {
  id: number;
  sampleId: string;
  exceptionId: number | null;
  carrier: string | null;
  status: ClaimStatus;
  amountCents: number | null;
  note: string | null;
  openedBy: string;
  openedAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id::int as id, sample_id as "sampleId", exception_id::int as "exceptionId", carrier, status,
  amount_cents as "amountCents", note, opened_by as "openedBy", opened_at as "openedAt", updated_at as "updatedAt"`;

/** Claims against the carrier (sample_claims, migration 018). */
export class ClaimRepository {
  constructor(private readonly sql: Sql) {}

  async insert(c: {
    sampleId: string;
    exceptionId: number | null;
    carrier: string | null;
    amountCents: number | null;
    note: string | null;
    openedBy: string;
    at: Date;
  }): Promise<ClaimRow> {
    const { rows } = await this.sql.query<ClaimRow>(
      `insert into sample_claims (sample_id, exception_id, carrier, amount_cents, note, opened_by, opened_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7) returning ${COLUMNS}`,
      [c.sampleId, c.exceptionId, c.carrier, c.amountCents, c.note, c.openedBy, c.at],
    );
    return rows[0]!;
  }

  async get(id: number, opts: { forUpdate?: boolean } = {}): Promise<ClaimRow | undefined> {
    const { rows } = await this.sql.query<ClaimRow>(
      `select ${COLUMNS} from sample_claims where id = $1${opts.forUpdate ? ' for update' : ''}`,
      [id],
    );
    return rows[0];
  }

  /** The sample's claims, oldest first. */
  async ofSample(sampleId: string): Promise<ClaimRow[]> {
    const { rows } = await this.sql.query<ClaimRow>(
      `select ${COLUMNS} from sample_claims where sample_id = $1 order by id`,
      [sampleId],
    );
    return rows;
  }

  /** The sample's claim still in one of `statuses`, if any (the oldest). */
  async liveOfSample(sampleId: string, statuses: readonly ClaimStatus[]): Promise<ClaimRow | undefined> {
    const { rows } = await this.sql.query<ClaimRow>(
      `select ${COLUMNS} from sample_claims where sample_id = $1 and status = any($2) order by id limit 1`,
      [sampleId, statuses],
    );
    return rows[0];
  }

  async update(
    id: number,
    u: { status: ClaimStatus; amountCents?: number; note?: string; at: Date },
  ): Promise<ClaimRow> {
    const { rows } = await this.sql.query<ClaimRow>(
      `update sample_claims set status = $2, amount_cents = coalesce($3, amount_cents), note = coalesce($4, note), updated_at = $5
       where id = $1 returning ${COLUMNS}`,
      [id, u.status, u.amountCents ?? null, u.note ?? null, u.at],
    );
    return rows[0]!;
  }
}

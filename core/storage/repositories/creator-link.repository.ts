import type { Sql } from '../sql.ts';

export interface CreatorLinkRow {
  id: string;
  sampleId: string;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
}

const COLUMNS = `id, sample_id as "sampleId", expires_at as "expiresAt", created_at as "createdAt", created_by as "createdBy",
  revoked_at as "revokedAt", revoked_by as "revokedBy", last_used_at as "lastUsedAt"`;

/** Creator links (migration 029): at most one live (unrevoked) link per sample. */
export class CreatorLinkRepository {
  constructor(private readonly sql: Sql) {}

  async insert(l: { id: string; sampleId: string; expiresAt: Date; at: Date; by: string }): Promise<CreatorLinkRow> {
    const { rows } = await this.sql.query<CreatorLinkRow>(
      `insert into creator_links (id, sample_id, expires_at, created_at, created_by) values ($1, $2, $3, $4, $5)
       returning ${COLUMNS}`,
      [l.id, l.sampleId, l.expiresAt, l.at, l.by],
    );
    return rows[0]!;
  }

  async get(id: string): Promise<CreatorLinkRow | undefined> {
    const { rows } = await this.sql.query<CreatorLinkRow>(`select ${COLUMNS} from creator_links where id = $1`, [id]);
    return rows[0];
  }

  /** The sample's live link, locked when `forUpdate` (issuing and revoking serialise on it). */
  async live(sampleId: string, opts: { forUpdate?: boolean } = {}): Promise<CreatorLinkRow | undefined> {
    const { rows } = await this.sql.query<CreatorLinkRow>(
      `select ${COLUMNS} from creator_links where sample_id = $1 and revoked_at is null${opts.forUpdate ? ' for update' : ''}`,
      [sampleId],
    );
    return rows[0];
  }

  async ofSample(sampleId: string): Promise<CreatorLinkRow[]> {
    const { rows } = await this.sql.query<CreatorLinkRow>(
      `select ${COLUMNS} from creator_links where sample_id = $1 order by created_at desc, id`,
      [sampleId],
    );
    return rows;
  }

  async revoke(id: string, at: Date, by: string): Promise<void> {
    await this.sql.query(
      'update creator_links set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null',
      [id, at, by],
    );
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.sql.query('update creator_links set last_used_at = $2 where id = $1', [id, at]);
  }
}

/** A key the platform keeps for itself (platform_keys), made once on first use. */
export async function platformKey(sql: Sql, name: string, make: () => string): Promise<string> {
  await sql.query('insert into platform_keys (name, value) values ($1, $2) on conflict do nothing', [name, make()]);
  const { rows } = await sql.query<{ value: string }>('select value from platform_keys where name = $1', [name]);
  return rows[0]!.value;
}

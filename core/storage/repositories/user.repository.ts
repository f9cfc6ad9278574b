import type { PersonRole, Role } from '../../domain/auth/roles.ts';
import type { Sql } from '../sql.ts';

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: PersonRole;
  /** What this person may approve (product cost of a send); null: the policy's default. */
  approvalLimitCents: number | null;
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

const iso = (col: string) => `to_json(${col})#>>'{}'`;
const COLUMNS = `u.id, u.email, u.name, u.role, u.approval_limit_cents::float8 as "approvalLimitCents", ${iso('u.created_at')} as "createdAt", ${iso('u.updated_at')} as "updatedAt",
  ${iso('u.disabled_at')} as "disabledAt"`;

export interface ApiTokenRow {
  id: number;
  userId: number;
  userEmail: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_COLUMNS = `t.id, t.user_id as "userId", u.email as "userEmail", t.name, t.role, ${iso('t.created_at')} as "createdAt",
  ${iso('t.expires_at')} as "expiresAt", ${iso('t.last_used_at')} as "lastUsedAt", ${iso('t.revoked_at')} as "revokedAt"`;

/** Users, their sessions and their API tokens: the SQL of sign-in. */
export class UserRepository {
  constructor(private readonly sql: Sql) {}

  async count(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>('select count(*)::int as n from users');
    return rows[0]?.n ?? 0;
  }

  /** Active admins other than `exceptId`: the last admin may not be demoted or disabled. */
  async otherActiveAdmins(exceptId: number): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      "select count(*)::int as n from users where role = 'admin' and disabled_at is null and id <> $1",
      [exceptId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Inserts a user; undefined when the email is taken. */
  async insert(u: {
    email: string;
    name: string;
    role: PersonRole;
    passwordHash: string;
  }): Promise<UserRow | undefined> {
    const { rows } = await this.sql.query<{ id: number }>(
      `insert into users (email, name, role, password_hash) values ($1, $2, $3, $4)
       on conflict (lower(email)) do nothing returning id`,
      [u.email, u.name, u.role, u.passwordHash],
    );
    return rows[0] ? this.get(rows[0].id) : undefined;
  }

  async get(id: number): Promise<UserRow | undefined> {
    const { rows } = await this.sql.query<UserRow>(`select ${COLUMNS} from users u where u.id = $1`, [id]);
    return rows[0];
  }

  async list(): Promise<UserRow[]> {
    const { rows } = await this.sql.query<UserRow>(`select ${COLUMNS} from users u order by lower(u.email)`);
    return rows;
  }

  async credentials(email: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
    const { rows } = await this.sql.query<UserRow & { passwordHash: string }>(
      `select ${COLUMNS}, u.password_hash as "passwordHash" from users u where lower(u.email) = lower($1)`,
      [email],
    );
    return rows[0];
  }

  async update(
    id: number,
    patch: {
      name?: string;
      role?: PersonRole;
      passwordHash?: string;
      disabled?: boolean;
      /** undefined: unchanged; null: back to the policy's default. */
      approvalLimitCents?: number | null;
    },
  ): Promise<UserRow | undefined> {
    await this.sql.query(
      `update users set name = coalesce($2, name), role = coalesce($3, role), password_hash = coalesce($4, password_hash),
         disabled_at = case when $5::boolean is null then disabled_at when $5 then coalesce(disabled_at, now()) else null end,
         approval_limit_cents = case when $6::boolean then $7::bigint else approval_limit_cents end,
         updated_at = now()
       where id = $1`,
      [
        id,
        patch.name ?? null,
        patch.role ?? null,
        patch.passwordHash ?? null,
        patch.disabled ?? null,
        patch.approvalLimitCents !== undefined,
        patch.approvalLimitCents ?? null,
      ],
    );
    return this.get(id);
  }

  async insertSession(s: {
    idHash: string;
    userId: number;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }): Promise<void> {
    await this.sql.query(
      'insert into sessions (id_hash, user_id, expires_at, ip, user_agent) values ($1, $2, $3, $4, $5)',
      [s.idHash, s.userId, s.expiresAt, s.ip, s.userAgent?.slice(0, 300) ?? null],
    );
  }

  /** The session's user if the session is live and the user enabled; touches last_seen at most once a minute. */
  async bySession(idHash: string): Promise<UserRow | undefined> {
    const { rows } = await this.sql.query<UserRow>(
      `with s as (
         update sessions set last_seen_at = now()
         where id_hash = $1 and expires_at > now() and last_seen_at < now() - interval '1 minute'
         returning user_id)
       select ${COLUMNS} from sessions x join users u on u.id = x.user_id
       where x.id_hash = $1 and x.expires_at > now() and u.disabled_at is null`,
      [idHash],
    );
    return rows[0];
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.sql.query('delete from sessions where id_hash = $1', [idHash]);
  }

  /** Signs a user out everywhere (disabled, or password changed). */
  async deleteSessionsOf(userId: number): Promise<void> {
    await this.sql.query('delete from sessions where user_id = $1 or expires_at < now()', [userId]);
  }

  async insertToken(t: {
    tokenHash: string;
    userId: number;
    name: string;
    role: Role;
    expiresAt: Date | null;
  }): Promise<ApiTokenRow> {
    const { rows } = await this.sql.query<{ id: number }>(
      'insert into api_tokens (token_hash, user_id, name, role, expires_at) values ($1, $2, $3, $4, $5) returning id',
      [t.tokenHash, t.userId, t.name, t.role, t.expiresAt],
    );
    return (await this.token(rows[0]!.id))!;
  }

  async token(id: number): Promise<ApiTokenRow | undefined> {
    const { rows } = await this.sql.query<ApiTokenRow>(
      `select ${TOKEN_COLUMNS} from api_tokens t join users u on u.id = t.user_id where t.id = $1`,
      [id],
    );
    return rows[0];
  }

  async tokens(filter: { userId?: number }): Promise<ApiTokenRow[]> {
    const { rows } = await this.sql.query<ApiTokenRow>(
      `select ${TOKEN_COLUMNS} from api_tokens t join users u on u.id = t.user_id
       where ($1::bigint is null or t.user_id = $1) order by t.id`,
      [filter.userId ?? null],
    );
    return rows;
  }

  /**
   * A usable token (not revoked, not expired, owner enabled) with its owner. Its use is
   * recorded at most once a minute, so a busy integration does not write on every request.
   */
  async byToken(tokenHash: string): Promise<{ user: UserRow; tokenId: number; role: Role } | undefined> {
    const { rows } = await this.sql.query<UserRow & { tokenId: number; tokenRole: Role }>(
      `with used as (
         update api_tokens set last_used_at = now()
         where token_hash = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute'))
       select ${COLUMNS}, t.id as "tokenId", t.role as "tokenRole"
       from api_tokens t join users u on u.id = t.user_id
       where t.token_hash = $1 and t.revoked_at is null
         and (t.expires_at is null or t.expires_at > now()) and u.disabled_at is null`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return undefined;
    const { tokenId, tokenRole, ...user } = r;
    return { user, tokenId, role: tokenRole };
  }

  async revokeToken(id: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1',
      [id],
    );
    return rowCount === 1;
  }
}

import { hashSecret } from '../domain/device-secret.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { newOpaqueToken, tokenHash } from '../domain/auth/opaque-token.ts';
import type { AuditActor, Principal } from '../domain/auth/principal.ts';
import { mayGrant, type PersonRole, type Role } from '../domain/auth/roles.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { UserRepository, type ApiTokenRow, type UserRow } from '../storage/repositories/user.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { ServiceDeps } from './deps.ts';

export interface NewUser {
  email: string;
  name: string;
  role: PersonRole;
  password: string;
}

/**
 * Users and API tokens. Every change is audited in its own transaction; passwords are
 * scrypt-hashed (memory-hard), tokens are shown once and stored as SHA-256.
 */
export class UserService {
  private readonly users: UserRepository;

  private readonly pool: Pool;

  constructor({ pool }: ServiceDeps) {
    this.pool = pool;
    this.users = new UserRepository(pool);
  }

  async any(): Promise<boolean> {
    return (await this.users.count()) > 0;
  }

  list(): Promise<UserRow[]> {
    return this.users.list();
  }

  async get(id: number): Promise<UserRow> {
    const user = await this.users.get(id);
    if (!user) throw notFound('user', String(id));
    return user;
  }

  async create(input: NewUser, by: AuditActor): Promise<UserRow> {
    const passwordHash = await hashSecret(input.password);
    return withTransaction(this.pool, async (tx) => {
      const user = await new UserRepository(tx).insert({
        email: input.email.trim(),
        name: input.name,
        role: input.role,
        passwordHash,
      });
      if (!user)
        throw new DomainError('ALREADY_EXISTS', `a user with email ${input.email} exists`, { email: input.email });
      await new AuditRepository(tx).record(by, {
        action: 'user.create',
        entityType: 'user',
        entityId: String(user.id),
        detail: { after: publicUser(user) },
      });
      return user;
    });
  }

  /**
   * The first admin, from ADMIN_EMAIL/ADMIN_PASSWORD or `npm run admin:create`: only while
   * no user exists, so a forgotten env variable can never reset anyone's password.
   */
  async createFirstAdmin(input: Omit<NewUser, 'role'>, by: AuditActor): Promise<UserRow | undefined> {
    if (await this.any()) return undefined;
    return this.create({ ...input, role: 'admin' }, by);
  }

  async update(
    id: number,
    patch: { name?: string; role?: PersonRole; password?: string; disabled?: boolean },
    by: AuditActor,
  ): Promise<UserRow> {
    const passwordHash = patch.password === undefined ? undefined : await hashSecret(patch.password);
    return withTransaction(this.pool, async (tx) => {
      const users = new UserRepository(tx);
      const before = await users.get(id);
      if (!before) throw notFound('user', String(id));
      const losesAdmin =
        before.role === 'admin' && !before.disabledAt && ((patch.role && patch.role !== 'admin') || patch.disabled);
      if (losesAdmin && (await users.otherActiveAdmins(id)) === 0) {
        throw new DomainError('CONFLICT', 'the last admin cannot be demoted or disabled', { reason: 'last_admin' });
      }
      const after = (await users.update(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      }))!;
      // A new password or a disabled account ends every session at once.
      if (passwordHash !== undefined || patch.disabled) await users.deleteSessionsOf(id);
      await new AuditRepository(tx).record(by, {
        action: 'user.update',
        entityType: 'user',
        entityId: String(id),
        detail: {
          before: publicUser(before),
          after: publicUser(after),
          ...(passwordHash ? { passwordChanged: true } : {}),
        },
      });
      return after;
    });
  }

  /** Tokens visible to the caller: all for an admin, otherwise the caller's own. */
  tokens(caller: Principal): Promise<ApiTokenRow[]> {
    return this.users.tokens(caller.userRole === 'admin' ? {} : { userId: caller.userId });
  }

  async createToken(
    caller: Principal,
    input: { name: string; role: Role; expiresAt?: Date },
    by: AuditActor,
  ): Promise<ApiTokenRow & { token: string }> {
    if (!mayGrant(caller.userRole, input.role)) {
      throw new DomainError('FORBIDDEN', `a ${caller.userRole} may not create a token with role ${input.role}`, {
        role: input.role,
      });
    }
    const token = newOpaqueToken('st');
    return withTransaction(this.pool, async (tx) => {
      const row = await new UserRepository(tx).insertToken({
        tokenHash: tokenHash(token),
        userId: caller.userId,
        name: input.name,
        role: input.role,
        expiresAt: input.expiresAt ?? null,
      });
      await new AuditRepository(tx).record(by, {
        action: 'token.create',
        entityType: 'api_token',
        entityId: String(row.id),
        detail: { name: row.name, role: row.role, owner: row.userEmail, expiresAt: row.expiresAt },
      });
      return { ...row, token };
    });
  }

  /** Revokes a token; someone else's token is "not found" to a non-admin (its existence is not theirs to know). */
  async revokeToken(caller: Principal, id: number, by: AuditActor): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const users = new UserRepository(tx);
      const token = await users.token(id);
      if (!token || (caller.userRole !== 'admin' && token.userId !== caller.userId))
        throw notFound('token', String(id));
      await users.revokeToken(id);
      await new AuditRepository(tx).record(by, {
        action: 'token.revoke',
        entityType: 'api_token',
        entityId: String(id),
        detail: { name: token.name, owner: token.userEmail },
      });
    });
  }
}

/** A user as the audit log keeps it: never the password hash. */
const publicUser = (u: UserRow) => ({ email: u.email, name: u.name, role: u.role, disabledAt: u.disabledAt });

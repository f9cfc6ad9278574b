import { hashSecret, verifySecret } from '../domain/device-secret.ts';
import { DomainError } from '../domain/errors.ts';
import { LoginThrottle } from '../domain/auth/login-throttle.ts';
import { newOpaqueToken, tokenHash } from '../domain/auth/opaque-token.ts';
import type { Principal } from '../domain/auth/principal.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { UserRepository, type UserRow } from '../storage/repositories/user.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { ServiceDeps } from './deps.ts';

export interface AuthConfig {
  sessionTtlMs: number;
}

const WRONG = () => new DomainError('UNAUTHENTICATED', 'email or password is wrong');

/**
 * Sign-in: password → session, and session id or API token → principal. Wrong email,
 * wrong password and disabled account look the same from outside, in answer and in time.
 */
export class AuthService {
  private readonly users: UserRepository;
  private readonly throttle = new LoginThrottle();
  // A real hash to check against when the email is unknown, so that case costs the same scrypt.
  private readonly dummyHash = hashSecret('no user has this password');

  private readonly pool: Pool;
  private readonly config: AuthConfig;
  private readonly now: () => number;

  constructor({ pool, now, auth }: ServiceDeps & { auth: AuthConfig }) {
    this.pool = pool;
    this.config = auth;
    this.now = now ? () => now().getTime() : Date.now;
    this.users = new UserRepository(pool);
  }

  async login(input: {
    email: string;
    password: string;
    ip: string;
    userAgent: string | null;
  }): Promise<{ sessionId: string; user: UserRow; expiresAt: Date }> {
    const wait = this.throttle.retryAfterMs(input.email, input.ip, this.now());
    if (wait > 0) {
      throw new DomainError('RATE_LIMITED', 'too many failed sign-ins; try again later', {
        retryAfterS: Math.ceil(wait / 1000),
      });
    }
    const found = await this.users.credentials(input.email);
    const ok = await verifySecret(input.password, found?.passwordHash ?? (await this.dummyHash));
    if (!found || !ok || found.disabledAt) {
      this.throttle.fail(input.email, input.ip, this.now());
      throw WRONG();
    }
    this.throttle.succeed(input.email);
    const { passwordHash: _, ...user } = found;
    const sessionId = newOpaqueToken('ss');
    const expiresAt = new Date(this.now() + this.config.sessionTtlMs);
    await withTransaction(this.pool, async (tx) => {
      await new UserRepository(tx).insertSession({
        idHash: tokenHash(sessionId),
        userId: user.id,
        expiresAt,
        ip: input.ip,
        userAgent: input.userAgent,
      });
      await new AuditRepository(tx).record(
        { actor: `user:${user.id}`, label: user.email, ip: input.ip },
        {
          action: 'session.create',
          entityType: 'user',
          entityId: String(user.id),
        },
      );
    });
    return { sessionId, user, expiresAt };
  }

  async logout(sessionId: string): Promise<void> {
    await this.users.deleteSession(tokenHash(sessionId));
  }

  async bySession(sessionId: string): Promise<Principal | undefined> {
    const user = await this.users.bySession(tokenHash(sessionId));
    return (
      user && {
        userId: user.id,
        email: user.email,
        name: user.name,
        userRole: user.role,
        role: user.role,
        via: 'session',
      }
    );
  }

  async byToken(token: string): Promise<Principal | undefined> {
    const found = await this.users.byToken(tokenHash(token));
    if (!found) return undefined;
    const { user, tokenId, role } = found;
    return { userId: user.id, email: user.email, name: user.name, userRole: user.role, role, via: 'token', tokenId };
  }
}

import type { PersonRole, Role } from './roles.ts';

/** Who is calling: a signed-in person (session cookie) or an API token of a person. */
export interface Principal {
  userId: number;
  email: string;
  name: string;
  /** The user's own role. */
  userRole: PersonRole;
  /** The role in force: the user's for a session, the token's scope for a token. */
  role: Role;
  via: 'session' | 'token';
  tokenId?: number;
}

/** Who did something, for the audit log: a user, a token, or the platform itself. */
export interface AuditActor {
  /** `user:12`, `token:4`, `system:scheduler`. */
  actor: string;
  /** Human-readable: the user's email (and the token's name). */
  label: string;
  ip: string | null;
  /**
   * The person behind a user or token principal, with the role in force (a token's scope),
   * so services can check authority (approval limits) on the identity, never on a name
   * from the request body. Absent for the platform's own jobs.
   */
  person?: { userId: number; email: string; role: Role };
}

export function auditActorOf(p: Principal, ip: string | null): AuditActor {
  const person = { userId: p.userId, email: p.email, role: p.role };
  return p.via === 'token'
    ? { actor: `token:${p.tokenId}`, label: `${p.email} (token ${p.tokenId})`, ip, person }
    : { actor: `user:${p.userId}`, label: p.email, ip, person };
}

export const systemActor = (part: string): AuditActor => ({ actor: `system:${part}`, label: part, ip: null });

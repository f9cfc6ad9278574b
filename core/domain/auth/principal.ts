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
}

export function auditActorOf(p: Principal, ip: string | null): AuditActor {
  return p.via === 'token'
    ? { actor: `token:${p.tokenId}`, label: `${p.email} (token ${p.tokenId})`, ip }
    : { actor: `user:${p.userId}`, label: p.email, ip };
}

export const systemActor = (part: string): AuditActor => ({ actor: `system:${part}`, label: part, ip: null });

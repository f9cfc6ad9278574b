/**
 * Who may do what. People have one of four roles (issue 6); `integration` is for API
 * tokens of machines (the carrier webhook, a metrics scraper) and is never a person's.
 * Roles are listed explicitly on each route rather than ranked: ops and fulfillment do
 * different work, neither is "above" the other.
 */
export const PERSON_ROLES = ['admin', 'ops', 'fulfillment', 'viewer'] as const;
export const ROLES = [...PERSON_ROLES, 'integration'] as const;

export type PersonRole = (typeof PERSON_ROLES)[number];
export type Role = (typeof ROLES)[number];

/** Who may call a route: anyone, or a principal holding one of these roles. */
export type Access = 'public' | readonly Role[];

/** Every signed-in person: read-only routes. */
export const READERS: readonly Role[] = ['admin', 'ops', 'fulfillment', 'viewer'];
/** People who act on parcels and exceptions day to day. */
export const WORKERS: readonly Role[] = ['admin', 'ops', 'fulfillment'];
/** Samples, shipments, devices, the catalogue and creators. */
export const OPS: readonly Role[] = ['admin', 'ops'];
/** Exception dispositions and reships. */
export const FULFILLMENT: readonly Role[] = ['admin', 'fulfillment'];
/** Settings, users, policy, audit. */
export const ADMIN: readonly Role[] = ['admin'];
/** Any authenticated principal (people and integration tokens). */
export const ANY_SIGNED_IN: readonly Role[] = ROLES;

export function allows(access: Access, role: Role | undefined): boolean {
  if (access === 'public') return true;
  return role !== undefined && access.includes(role);
}

/** Creators' addresses and phones: only the roles that ship to them. */
export function seesCreatorPii(role: Role | undefined): boolean {
  return role === 'admin' || role === 'ops';
}

/**
 * Which role a person may put on an API token: an admin any; others their own role or
 * viewer, so a token never reaches further than its owner.
 */
export function mayGrant(owner: PersonRole, tokenRole: Role): boolean {
  if (owner === 'admin') return true;
  return tokenRole === owner || tokenRole === 'viewer';
}

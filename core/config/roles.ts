/**
 * The roles a process can take (docs/operations.md, "Roles"). One codebase, several
 * processes: `ingest` (tracker input, the ingest pipeline and the rules judging what it
 * stored), `api` (REST, the live feed, the dashboard) and `jobs` (deliveries, the
 * scheduler, escalation, connectors). `all` is the three in one process, as `npm start`.
 */
export const ROLES = ['ingest', 'api', 'jobs'] as const;
export type Role = (typeof ROLES)[number];

/** `all`, or a comma list such as `api,jobs`; the result is in ROLES order, each once. */
export function parseRoles(text: string): { roles: Role[] } | { error: string } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return { error: 'name at least one role: all, or a comma list of ingest, api, jobs' };
  if (names.includes('all')) return names.length === 1 ? { roles: [...ROLES] } : { error: '`all` goes alone' };
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n));
  if (unknown.length) return { error: `unknown role ${unknown.join(', ')} (roles: all, ingest, api, jobs)` };
  return { roles: ROLES.filter((r) => names.includes(r)) };
}

export const isAllRoles = (roles: readonly Role[]): boolean => ROLES.every((r) => roles.includes(r));

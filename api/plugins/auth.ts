import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../core/domain/errors.ts';
import { auditActorOf, type AuditActor, type Principal } from '../../core/domain/auth/principal.ts';
import { allows, type Access } from '../../core/domain/auth/roles.ts';
import type { AuthService } from '../../core/services/auth.service.ts';
import type { Services } from '../../core/services/index.ts';
import { CSRF_HEADER, CSRF_VALUE, readSessionCookie } from '../http/session-cookie.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; set by `route()` (api/http/route.ts). */
    access?: Access;
  }
  interface FastifyRequest {
    /** Who is calling, when credentials came with the request. */
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in caller of a route that is not public (the hook guarantees one). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new DomainError('UNAUTHENTICATED', 'sign in or send an API token');
  return req.principal;
}

/** The caller as the audit log records them. */
export const auditActor = (req: FastifyRequest): AuditActor => auditActorOf(principalOf(req), req.ip);

/**
 * Enforces each route's `access` before anything else runs (WebSocket upgrades included).
 * Credentials: `Authorization: Bearer <API token>`, or the session cookie. A cookie is
 * sent by the browser on its own, so a cookie-authenticated unsafe request must also carry
 * `x-requested-with: sampletrack`: a page on another origin cannot add a custom header
 * without a CORS preflight, which this API never grants. The same reasoning for the live
 * WebSocket (no preflight there): with a cookie, its Origin must be this host.
 */
export function registerAuth(app: FastifyInstance, services: Pick<Services, 'auth'>): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) {
      // Routes outside `route()`: the dashboard's static files, /openapi.json and 404s.
      // An API path must never fall through here unguarded.
      if (req.routeOptions.url?.startsWith('/api/')) throw new DomainError('FORBIDDEN', 'route declares no access');
      return;
    }
    // Read at request time: the OpenAPI generator builds the app without services.
    const principal = await identify(req, services.auth);
    req.principal = principal ?? null;
    if (access === 'public') return;
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'sign in or send an API token');
    if (principal.via === 'session') {
      if (!SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] !== CSRF_VALUE) {
        throw new DomainError(
          'FORBIDDEN',
          `cookie-authenticated requests that change state need the header ${CSRF_HEADER}: ${CSRF_VALUE}`,
          { reason: 'csrf' },
        );
      }
      if (req.headers.upgrade && !sameOrigin(req)) {
        throw new DomainError('FORBIDDEN', 'WebSocket from another origin', { reason: 'origin' });
      }
    }
    if (!allows(access, principal.role)) {
      throw new DomainError('FORBIDDEN', `role ${principal.role} may not ${req.method} ${req.routeOptions.url}`, {
        role: principal.role,
      });
    }
  });
}

async function identify(req: FastifyRequest, auth: AuthService): Promise<Principal | undefined> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    // A bad token is an error even on a public route: an integration must learn its token is dead.
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const principal = token ? await auth.byToken(token) : undefined;
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'the API token is invalid, expired or revoked');
    return principal;
  }
  const session = readSessionCookie(req);
  return session ? auth.bySession(session) : undefined;
}

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // Not a browser: browsers always send Origin on WebSocket upgrades.
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

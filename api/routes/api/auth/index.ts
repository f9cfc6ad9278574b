import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ANY_SIGNED_IN } from '../../../../core/domain/auth/roles.ts';
import { principalOf } from '../../../plugins/auth.ts';
import { route } from '../../../http/route.ts';
import { MeSchema } from '../../../http/auth-schemas.ts';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../../../http/session-cookie.ts';
import type { ApiDeps } from '../../../app.ts';

export default function authRoutes(app: FastifyInstance, { services, routes, config }: ApiDeps): void {
  const secureCookie = (protocol: string) => protocol === 'https' || config.publicUrl.startsWith('https:');

  route(app, routes, {
    method: 'POST',
    url: '/api/auth/login',
    tags: ['auth'],
    access: 'public',
    summary:
      'Sign in with email and password: sets the st_session cookie (httpOnly, SameSite=Lax). Failures are rate-limited',
    body: z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) }).strict(),
    responses: { 200: MeSchema },
    errors: ['UNAUTHENTICATED', 'RATE_LIMITED'],
    handler: async ({ body, req, reply }) => {
      const { sessionId, user, expiresAt } = await services.auth.login({
        ...body,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
      });
      setSessionCookie(reply, sessionId, {
        maxAgeS: Math.floor((expiresAt.getTime() - Date.now()) / 1000),
        secure: secureCookie(req.protocol),
      });
      return { id: user.id, email: user.email, name: user.name, role: user.role, via: 'session' as const };
    },
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/auth/logout',
    tags: ['auth'],
    access: ANY_SIGNED_IN,
    summary: 'Sign out: ends this session',
    responses: { 204: null },
    handler: async ({ req, reply }) => {
      const session = readSessionCookie(req);
      if (session) await services.auth.logout(session);
      clearSessionCookie(reply, secureCookie(req.protocol));
      return reply.status(204).send();
    },
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/auth/me',
    tags: ['auth'],
    access: ANY_SIGNED_IN,
    summary: 'Who is signed in (or whose token this is), with the role in force',
    responses: { 200: MeSchema },
    handler: async ({ req }) => {
      const p = principalOf(req);
      return {
        id: p.userId,
        email: p.email,
        name: p.name,
        role: p.role,
        via: p.via,
        ...(p.tokenId ? { tokenId: p.tokenId } : {}),
      };
    },
  });
}

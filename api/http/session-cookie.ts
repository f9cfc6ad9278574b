import type { FastifyReply, FastifyRequest } from 'fastify';

/** The dashboard's session cookie: httpOnly (no script reads it), SameSite=Lax, Secure over https. */
export const SESSION_COOKIE = 'st_session';

/** The header a cookie-authenticated unsafe request must carry (see api/plugins/auth.ts). */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'sampletrack';

export function readSessionCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function setSessionCookie(reply: FastifyReply, value: string, opts: { maxAgeS: number; secure: boolean }): void {
  reply.header(
    'set-cookie',
    [
      `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      `Max-Age=${opts.maxAgeS}`,
      ...(opts.secure ? ['Secure'] : []),
    ].join('; '),
  );
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  setSessionCookie(reply, '', { maxAgeS: 0, secure });
}

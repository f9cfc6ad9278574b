import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The creator's link token: `<id>.<expires>.<signature>`, where `expires` is the expiry in
 * epoch seconds (base 36) and the signature is HMAC-SHA256 over `<id>.<expires>` with the
 * platform's link key, base64url. The signature lets a forged or altered link be refused
 * before the database is asked, and the expiry cannot be extended by editing the URL; the
 * link's row (creator_links) is what revocation reads. The id is 18 random bytes, so a link
 * cannot be guessed either.
 */
export interface LinkClaims {
  id: string;
  /** Epoch ms, whole seconds. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const ID = /^[A-Za-z0-9_-]{24}$/;

export const newLinkId = (): string => randomBytes(18).toString('base64url');

const sign = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function signLinkToken(key: string, claims: LinkClaims): string {
  const payload = `${claims.id}.${Math.floor(claims.expiresAt / 1000).toString(36)}`;
  return `${payload}.${sign(key, payload)}`;
}

export function checkLinkToken(key: string, token: string, now: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [id, exp, sig] = parts as [string, string, string];
  if (!ID.test(id) || !/^[0-9a-z]{1,10}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = Buffer.from(sign(key, `${id}.${exp}`));
  if (!timingSafeEqual(expected, Buffer.from(sig))) return { ok: false, reason: 'forged' };
  const expiresAt = parseInt(exp, 36) * 1000;
  if (expiresAt <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { id, expiresAt } };
}

/**
 * The form token of a link's page (CSRF): bound to the link and the action, so a form
 * posted from anywhere but the page the link served is refused. The link itself is the
 * credential (it is in the URL, not a cookie), so a cross-site form cannot name it without
 * knowing it; this token and the Origin check are the second and third locks.
 */
export const formToken = (key: string, linkId: string): string => sign(key, `form:${linkId}`);

export function checkFormToken(key: string, linkId: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== 43) return false;
  return timingSafeEqual(Buffer.from(formToken(key, linkId)), Buffer.from(given));
}

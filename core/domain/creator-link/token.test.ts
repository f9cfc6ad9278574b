import { describe, expect, it } from 'vitest';
import { checkFormToken, checkLinkToken, formToken, newLinkId, signLinkToken } from './token.ts';

const KEY = 'k'.repeat(32);
const NOW = Date.UTC(2026, 11, 1);

describe('creator link token', () => {
  const claims = { id: newLinkId(), expiresAt: NOW + 86_400_000 };
  const token = signLinkToken(KEY, claims);

  it('verifies its own token and returns its claims', () => {
    expect(checkLinkToken(KEY, token, NOW)).toEqual({ ok: true, claims });
  });
  it('refuses a token signed with another key', () => {
    expect(checkLinkToken('x'.repeat(32), token, NOW)).toEqual({ ok: false, reason: 'forged' });
  });
  it('refuses an expiry edited in the URL', () => {
    const [id, , sig] = token.split('.');
    const later = Math.floor((NOW + 365 * 86_400_000) / 1000).toString(36);
    expect(checkLinkToken(KEY, `${id}.${later}.${sig}`, NOW)).toEqual({ ok: false, reason: 'forged' });
  });
  it('refuses an expired token', () => {
    expect(checkLinkToken(KEY, token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });
  it('refuses malformed tokens without throwing', () => {
    for (const t of ['', 'a.b', 'a.b.c.d', `${claims.id}.zz.short`, '../../etc.1.x']) {
      expect(checkLinkToken(KEY, t, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });
  it('binds the form token to the link', () => {
    expect(checkFormToken(KEY, claims.id, formToken(KEY, claims.id))).toBe(true);
    expect(checkFormToken(KEY, newLinkId(), formToken(KEY, claims.id))).toBe(false);
    expect(checkFormToken(KEY, claims.id, undefined)).toBe(false);
  });
});

import { createHash, randomBytes } from 'node:crypto';

/**
 * Session ids and API tokens: 32 random bytes, shown to their holder once. They carry
 * 256 bits of entropy, so a fast hash (SHA-256) is enough to store them: there is nothing
 * to brute-force, and a per-request lookup by hash stays cheap. Passwords, which people
 * choose, get scrypt instead (device-secret.ts).
 */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

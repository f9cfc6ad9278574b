import { describe, expect, it } from 'vitest';
import {
  deviceSecretKey,
  hashDeviceSecret,
  hashSecret,
  newDeviceSecret,
  verifyDeviceSecret,
  verifySecret,
} from './device-secret.ts';

describe('device secrets', () => {
  it('verifies the right secret and refuses a wrong one', async () => {
    const secret = newDeviceSecret();
    const stored = await hashSecret(secret);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
  });

  it('salts: the same secret hashes differently twice', async () => {
    expect(await hashSecret('s3cret')).not.toBe(await hashSecret('s3cret'));
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    expect(await verifySecret('x', 'plain')).toBe(false);
  });
});

describe('keyed device-secret hashes', () => {
  const current = deviceSecretKey('k'.repeat(32));
  const earlier = deviceSecretKey('e'.repeat(32));

  it('stores hmac-sha256$<keyId>$<digest>, without the secret, the same for the same key', () => {
    const secret = newDeviceSecret();
    const stored = hashDeviceSecret(secret, current);
    expect(stored).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{12}\$[A-Za-z0-9+/]{43}=$/);
    expect(stored.split('$')[1]).toBe(current.id);
    expect(stored).not.toContain(secret);
    expect(hashDeviceSecret(secret, current)).toBe(stored);
    expect(hashDeviceSecret(secret, earlier)).not.toBe(stored);
  });

  it('names keys by a fingerprint: different keys, different ids', () => {
    expect(deviceSecretKey('k'.repeat(32)).id).toBe(current.id);
    expect(earlier.id).not.toBe(current.id);
  });

  it('verifies the right secret under the current key, no rehash', async () => {
    const secret = newDeviceSecret();
    const stored = hashDeviceSecret(secret, current);
    expect(await verifyDeviceSecret(secret, stored, [current, earlier])).toEqual({ ok: true, rehash: false });
    expect(await verifyDeviceSecret(`${secret}x`, stored, [current, earlier])).toEqual({ ok: false });
  });

  it('accepts a hash under an earlier key that is still configured, asking for a rehash', async () => {
    const stored = hashDeviceSecret('s', earlier);
    expect(await verifyDeviceSecret('s', stored, [current, earlier])).toEqual({ ok: true, rehash: true });
    expect(await verifyDeviceSecret('s', stored, [current])).toEqual({ ok: false });
  });

  it('accepts an old scrypt hash, asking for a rehash; refuses a wrong secret against it', async () => {
    const stored = await hashSecret('old-secret');
    expect(await verifyDeviceSecret('old-secret', stored, [current])).toEqual({ ok: true, rehash: true });
    expect(await verifyDeviceSecret('other', stored, [current])).toEqual({ ok: false });
  });

  it('refuses malformed or tampered hashes instead of throwing', async () => {
    const stored = hashDeviceSecret('s', current);
    for (const bad of ['', 'plain', 'hmac-sha256$', `hmac-sha256$${current.id}$`, `${stored}$x`, stored.slice(0, -4)]) {
      expect(await verifyDeviceSecret('s', bad, [current])).toEqual({ ok: false });
    }
    expect(await verifyDeviceSecret('s', stored.replace('hmac-sha256', 'hmac-sha1'), [current])).toEqual({
      ok: false,
    });
  });
});

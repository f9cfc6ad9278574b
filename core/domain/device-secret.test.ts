import { describe, expect, it } from 'vitest';
import { hashSecret, newDeviceSecret, verifySecret } from './device-secret.ts';

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

import {
  createHash,
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

const scrypt = (secret: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(secret, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

// scrypt's default cost (N=2^14, r=8): memory-hard, ~16 MiB and tens of ms per check.
// For secrets people choose (passwords); device secrets use the keyed hash below.
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

/** A new device secret: 24 random bytes, URL-safe, shown once at provisioning. */
export function newDeviceSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Passwords: `scrypt$N$r$p$salt$hash`, so the parameters can be raised later without
 * breaking old hashes. (Device secrets were stored this way before the keyed hash; those
 * hashes still verify and are rewritten on the next sign-in.)
 */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEY_LEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected);
}

/**
 * The key of device-secret hashes, named by `id`: a fingerprint of the key, stored with
 * every hash, so hashes made under an earlier key can still be told apart and checked
 * while that key is kept (docs/SECURITY.md, "Device secrets").
 */
export interface DeviceSecretKey {
  readonly id: string;
  readonly key: Buffer;
}

export function deviceSecretKey(material: string): DeviceSecretKey {
  const key = Buffer.from(material, 'utf8');
  // Domain-separated, so the id is never an HMAC of anything a device could send.
  const id = createHash('sha256').update('sampletrack device-secret key id\0').update(key).digest('base64url');
  return { id: id.slice(0, 12), key };
}

const HMAC_KIND = 'hmac-sha256';

/**
 * Device secrets are 24 random bytes, so no one can guess one and a memory-hard KDF only
 * costs CPU on every first connect (about 66 ms each; a fleet reconnecting at once pays it
 * thousands of times). A keyed hash is enough: `hmac-sha256$<keyId>$<base64>`, and a
 * leaked table without the key holds nothing to test a secret against.
 */
export function hashDeviceSecret(secret: string, key: DeviceSecretKey): string {
  return [HMAC_KIND, key.id, createHmac('sha256', key.key).update(secret, 'utf8').digest('base64')].join('$');
}

/** ok with `rehash`: right, but stored in an old form (scrypt, or an earlier key); store it again under keys[0]. */
export type DeviceSecretCheck = { ok: false } | { ok: true; rehash: boolean };

/**
 * Checks a secret against its stored hash, keys[0] being the current key and the rest
 * earlier ones still accepted. Constant-time over the digest; a hash under a key no longer
 * known, or malformed, is refused.
 */
export async function verifyDeviceSecret(
  secret: string,
  stored: string,
  keys: readonly DeviceSecretKey[],
): Promise<DeviceSecretCheck> {
  if (stored.startsWith('scrypt$')) {
    return (await verifySecret(secret, stored)) ? { ok: true, rehash: true } : { ok: false };
  }
  const [kind, keyId, digest, extra] = stored.split('$');
  if (kind !== HMAC_KIND || !digest || extra !== undefined) return { ok: false };
  const key = keys.find((k) => k.id === keyId);
  if (!key) return { ok: false };
  const expected = Buffer.from(digest, 'base64');
  const actual = createHmac('sha256', key.key).update(secret, 'utf8').digest();
  if (expected.length !== actual.length || !timingSafeEqual(actual, expected)) return { ok: false };
  return { ok: true, rehash: key !== keys[0] };
}

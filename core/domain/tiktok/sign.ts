import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * TikTok Shop's request signature ("Sign your API request", partner.tiktokshop.com; the
 * same steps as the official Node SDK's utils/generate-sign.ts):
 *   1. the query parameters except `sign` and `access_token`, keys sorted;
 *   2. concatenated as {key}{value};
 *   3. prefixed with the request path;
 *   4. followed by the raw JSON body (unless the request is multipart);
 *   5. wrapped in app_secret on both sides;
 *   6. HMAC-SHA256 keyed with app_secret, hex.
 * The body is signed byte for byte as sent, so callers sign the string they send.
 */
export interface SignInput {
  appSecret: string;
  /** The path only (`/affiliate_seller/202409/sample_applications/search`), no host or query. */
  path: string;
  query: Record<string, string | number>;
  /** The exact body sent; '' or absent for none. */
  body?: string;
}

const UNSIGNED = new Set(['sign', 'access_token']);

/** The string that is HMAC'd (exposed so a test can show the steps). */
export function signBase({ appSecret, path, query, body = '' }: SignInput): string {
  const params = Object.keys(query)
    .filter((k) => !UNSIGNED.has(k))
    .sort()
    .map((k) => `${k}${query[k]}`)
    .join('');
  return `${appSecret}${path}${params}${body}${appSecret}`;
}

export function sign(input: SignInput): string {
  return createHmac('sha256', input.appSecret).update(signBase(input), 'utf8').digest('hex');
}

/** Checks a received `sign` (the stand-in, and any inbound verification) in constant time. */
export function verifySign(input: SignInput, received: string): boolean {
  const expected = Buffer.from(sign(input), 'hex');
  const got = Buffer.from(received, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

import { describe, expect, it } from 'vitest';
import { sign, signBase, verifySign } from './sign.ts';

// The example credentials of TikTok's "Sign your API request" page (app key, secret, shop
// cipher, timestamp). The expected digests were computed outside this code, with
//   printf '%s' "<base string>" | openssl dgst -sha256 -hmac e59af819cc
const SECRET = 'e59af819cc';
const QUERY = { app_key: '68xu9ks5p4i8', shop_cipher: 'ROW_xkMbgAAAeVAQra0eZWebFQq5aIK', timestamp: 1696909648 };

describe('TikTok Shop request signature', () => {
  it("signs the docs' webhook example: path, sorted params, body, wrapped in the secret", () => {
    const input = {
      appSecret: SECRET,
      path: '/event/202309/webhooks',
      query: QUERY,
      body: '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}',
    };
    expect(signBase(input)).toBe(
      'e59af819cc/event/202309/webhooksapp_key68xu9ks5p4i8shop_cipherROW_xkMbgAAAeVAQra0eZWebFQq5aIK' +
        'timestamp1696909648{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}e59af819cc',
    );
    expect(sign(input)).toBe('cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a');
  });

  it('signs a sample application search; sign and access_token are left out, key order does not matter', () => {
    const input = {
      appSecret: SECRET,
      path: '/affiliate_seller/202409/sample_applications/search',
      // Deliberately unsorted, with the two parameters the scheme excludes.
      query: { sign: 'old', page_size: 50, access_token: 'TTP_x', ...QUERY },
      body: '{"status":"PENDING"}',
    };
    expect(sign(input)).toBe('eefd994d6d518e1dd2c030b131bdd470dd2d232a4d275717ed06ea3357187845');
    expect(verifySign(input, 'eefd994d6d518e1dd2c030b131bdd470dd2d232a4d275717ed06ea3357187845')).toBe(true);
  });

  it('refuses a signature over another body or a malformed one', () => {
    const input = { appSecret: SECRET, path: '/p', query: QUERY, body: '{"a":1}' };
    expect(verifySign({ ...input, body: '{"a":2}' }, sign(input))).toBe(false);
    expect(verifySign(input, 'zz')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, amzDate, sha256Hex, signV4 } from './sigv4.ts';

// AWS's published example "GET Object" (sig-v4-header-based-auth.html): the first 10 bytes
// of test.txt in examplebucket, signed with the documentation's example key pair.
const AWS_EXAMPLE = {
  method: 'GET',
  url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
  headers: { range: 'bytes=0-9' },
  payloadHash: EMPTY_SHA256,
  region: 'us-east-1',
  service: 's3',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  at: new Date(Date.UTC(2013, 4, 24)),
};

describe('SigV4', () => {
  it("gives AWS's published signature for the GET object example", () => {
    const signed = signV4(AWS_EXAMPLE);
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        `x-amz-content-sha256:${EMPTY_SHA256}`,
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signed.signature).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(signed.headers).toMatchObject({ 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': EMPTY_SHA256 });
  });

  it('encodes each path segment once and sorts the query', () => {
    const signed = signV4({
      ...AWS_EXAMPLE,
      url: new URL('http://127.0.0.1:9000/bucket/a%20b/c+d?b=2&a=1'),
      headers: {},
    });
    expect(signed.canonicalRequest.split('\n').slice(0, 4)).toEqual([
      'GET',
      '/bucket/a%20b/c%2Bd',
      'a=1&b=2',
      'host:127.0.0.1:9000',
    ]);
  });

  it('dates and hashes as SigV4 writes them', () => {
    expect(amzDate(new Date('2026-12-02T04:05:06.789Z'))).toBe('20261202T040506Z');
    expect(sha256Hex('')).toBe(EMPTY_SHA256);
  });
});

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny S3-compatible server for tests: path-style PUT and GET of objects, kept in memory,
 * every request's SigV4 signature checked. The check is written here from the raw request
 * (raw path, raw headers, the body's bytes), not with core/storage/photos/sigv4.ts, so a
 * signing mistake there is not repeated here and passed. (s3rver installs on Node 24 but
 * does not verify V4 signatures: it accepts any from a known key id.)
 */
export interface TestS3Object {
  bytes: Buffer;
  contentType: string | undefined;
}

export interface TestS3 {
  endpoint: string;
  /** `bucket/key` → object. */
  objects: Map<string, TestS3Object>;
  /** Refusals, in order: what a test asserts when it expects one. */
  refused: { method: string; path: string; status: number; code: string }[];
  close(): Promise<void>;
}

export interface TestS3Options {
  buckets: string[];
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const MAX_SKEW_MS = 15 * 60_000; // S3's RequestTimeTooSkewed
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export async function startTestS3(opts: TestS3Options): Promise<TestS3> {
  const objects = new Map<string, TestS3Object>();
  const refused: TestS3['refused'] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      const r = err instanceof Refusal ? err : new Refusal(500, 'InternalError');
      refused.push({ method: req.method ?? '', path: req.url ?? '', status: r.status, code: r.code });
      res.writeHead(r.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${r.code}</Code></Error>`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    verify(req, body, opts);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const [bucket, ...keyParts] = rawPath.slice(1).split('/').map(decodeURIComponent);
    if (!bucket || !opts.buckets.includes(bucket)) throw new Refusal(404, 'NoSuchBucket');
    const key = keyParts.join('/');
    if (!key) throw new Refusal(400, 'InvalidRequest');
    const name = `${bucket}/${key}`;
    if (req.method === 'PUT') {
      objects.set(name, { bytes: body, contentType: req.headers['content-type'] });
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
    } else if (req.method === 'GET') {
      const o = objects.get(name);
      if (!o) throw new Refusal(404, 'NoSuchKey');
      res.writeHead(200, { 'content-type': o.contentType ?? 'application/octet-stream' });
      res.end(o.bytes);
    } else {
      throw new Refusal(405, 'MethodNotAllowed');
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Recomputes the request's signature from what arrived and refuses it unless it matches. */
function verify(req: IncomingMessage, body: Buffer, opts: TestS3Options): void {
  const m = AUTH.exec(req.headers.authorization ?? '');
  if (!m) throw new Refusal(403, 'AccessDenied');
  const [, keyId, day, region, signedList, given] = m as unknown as string[];
  if (keyId !== opts.accessKeyId) throw new Refusal(403, 'InvalidAccessKeyId');
  if (region !== opts.region) throw new Refusal(400, 'AuthorizationHeaderMalformed');
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day)
    throw new Refusal(403, 'AccessDenied');
  const at = Date.UTC(
    +amzDate.slice(0, 4),
    +amzDate.slice(4, 6) - 1,
    +amzDate.slice(6, 8),
    +amzDate.slice(9, 11),
    +amzDate.slice(11, 13),
    +amzDate.slice(13, 15),
  );
  if (Math.abs(Date.now() - at) > MAX_SKEW_MS) throw new Refusal(403, 'RequestTimeTooSkewed');

  const signed = signedList!.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256'])
    if (!signed.includes(required)) throw new Refusal(403, 'AccessDenied');
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash !== createHash('sha256').update(body).digest('hex'))
    throw new Refusal(400, 'XAmzContentSHA256Mismatch');

  // Headers as they arrived: repeated ones joined by commas, values trimmed, runs of spaces collapsed.
  const raw = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    raw.set(name, [...(raw.get(name) ?? []), req.rawHeaders[i + 1]!.trim().replace(/ {2,}/g, ' ')]);
  }
  const headerLines = signed.map((name) => {
    const values = raw.get(name);
    if (!values) throw new Refusal(403, 'AccessDenied');
    return `${name}:${values.join(',')}`;
  });
  const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?') as [string, string?];
  const canonicalPath = rawPath
    .split('/')
    .map((s) => strictEncode(decodeURIComponent(s)))
    .join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k = '', v = ''] = pair.split('=');
      return `${strictEncode(decodeURIComponent(k))}=${strictEncode(decodeURIComponent(v))}`;
    })
    .sort()
    .join('&');
  const request = [req.method, canonicalPath, canonicalQuery, ...headerLines, '', signedList, payloadHash].join('\n');
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${day}/${region}/s3/aws4_request\n${createHash('sha256')
    .update(request, 'utf8')
    .digest('hex')}`;
  let key: Buffer = Buffer.from(`AWS4${opts.secretAccessKey}`, 'utf8');
  for (const part of [day!, region!, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(given!, 'hex'))) throw new Refusal(403, 'SignatureDoesNotMatch');
}

/** Byte by byte: unreserved characters as they are, every other UTF-8 byte as %XX. */
function strictEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

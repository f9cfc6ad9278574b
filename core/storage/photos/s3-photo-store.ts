import type { PhotoStore } from './photo-store.ts';
import { EMPTY_SHA256, sha256Hex, signV4 } from './sigv4.ts';

export interface S3PhotoStoreOptions {
  /** s3://bucket/prefix (PHOTO_STORE_URL); the prefix may be empty. */
  url: string;
  /** http(s)://host[:port][/path] (PHOTO_S3_ENDPOINT): addressed path-style, endpoint/bucket/key. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Per request; a store that hangs must not hold a creator's upload forever. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** A store answered something other than success: the status and S3's error code, never the keys. */
export class S3StoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    operation: string,
  ) {
    super(`S3 ${operation} failed: ${status}${code ? ` ${code}` : ''}`);
    this.name = 'S3StoreError';
  }
}

/** s3://bucket/some/prefix → { bucket, prefix: 'some/prefix' }. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const u = new URL(url);
  if (u.protocol !== 's3:' || !u.hostname) throw new Error('PHOTO_STORE_URL is s3://bucket[/prefix]');
  return { bucket: u.hostname, prefix: decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '') };
}

/**
 * Photos in an S3-compatible bucket over plain fetch, signed with SigV4 (sigv4.ts).
 * Path-style addressing (endpoint/bucket/key) because it is what MinIO, Ceph and most
 * S3-compatibles accept without DNS per bucket; AWS S3 takes it too.
 */
export class S3PhotoStore implements PhotoStore {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly opts: S3PhotoStoreOptions) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(opts.url));
    this.base = new URL(opts.endpoint.endsWith('/') ? opts.endpoint : `${opts.endpoint}/`);
    this.fetch = opts.fetch ?? fetch;
    this.now = opts.now ?? (() => new Date());
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** The object's URL: each segment encoded once; a key that could climb out of the prefix is refused. */
  private urlOf(key: string): URL {
    const segments = key.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`bad photo key: ${key}`);
    const path = [this.bucket, ...(this.prefix ? this.prefix.split('/') : []), ...segments]
      .map(encodeURIComponent)
      .join('/');
    return new URL(path, this.base);
  }

  private async send(
    operation: string,
    method: 'GET' | 'PUT',
    key: string,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const url = this.urlOf(key);
    const signed = signV4({
      method,
      url,
      headers,
      payloadHash: body ? sha256Hex(body) : EMPTY_SHA256,
      region: this.opts.region,
      service: 's3',
      accessKeyId: this.opts.accessKeyId,
      secretAccessKey: this.opts.secretAccessKey,
      at: this.now(),
    });
    // fetch sets host itself (the same value); sending it is refused by undici.
    const { host: _host, ...sent } = signed.headers;
    const res = await this.fetch(url, {
      method,
      headers: sent,
      // A copy typed as ArrayBuffer-backed (a Buffer may sit on a shared pool).
      ...(body ? { body: new Uint8Array(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok && res.status !== 404) throw new S3StoreError(res.status, await errorCode(res), operation);
    return res;
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const res = await this.send('put', 'PUT', key, bytes, { 'content-type': contentType });
    // A 404 on PUT is a missing bucket.
    if (res.status === 404) throw new S3StoreError(404, await errorCode(res), 'put');
    await res.body?.cancel();
  }

  /**
   * The bytes, or undefined for a missing key (404). A store that does not let these keys
   * list the bucket answers 403 for a missing key too; that stays an error, since it is
   * also what a wrong key pair gets.
   */
  async get(key: string): Promise<Buffer | undefined> {
    const res = await this.send('get', 'GET', key);
    if (res.status === 404) {
      const code = await errorCode(res);
      if (code === 'NoSuchBucket') throw new S3StoreError(404, code, 'get');
      return undefined;
    }
    return Buffer.from(await res.arrayBuffer());
  }

  async check(): Promise<void> {
    await this.put('.check', Buffer.from('ok'), 'text/plain');
  }
}

/** S3's error code from its XML body (<Code>NoSuchKey</Code>), if any. */
async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text().catch(() => '');
  return /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
}

import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * Hostile input to every API operation (issue 6, part 5): the OpenAPI document the app
 * generates is walked, and each operation that takes a body, path parameters or a query
 * gets fast-check-generated hostile values as an admin. Every answer must be a 2xx (the
 * input happened to be valid) or a 4xx with the stable error shape; never a 5xx. Then the
 * platform must still serve. The seed is printed; FC_SEED=<n> replays a run, FC_RUNS
 * raises the number of runs per operation.
 */
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
const RUNS = Number(process.env.FC_RUNS ?? 25);
const BODY_LIMIT = 1024 * 1024; // api/app.ts bodyLimit

interface Param {
  in: 'path' | 'query';
  name: string;
}
interface Operation {
  parameters?: Param[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

let p: TestPlatform;
let auth: Record<string, string>;
let doc: Doc;
const problems: string[] = [];
let requests = 0;
const statusCounts = new Map<number, number>();

beforeAll(async () => {
  p = await startTestPlatform();
  auth = await p.authHeaders('admin');
  doc = (await p.api<Doc>('/openapi.json', { as: 'anonymous' })).body;
  console.log(`[api-fuzz] seed ${seed} (replay: FC_SEED=${seed}), ${RUNS} runs per operation and input`);
}, 120_000);
afterAll(() => p?.close());

const SQLISH = [
  "'; drop table samples; --",
  "1' or '1'='1",
  '1; select pg_sleep(10)',
  "admin'--",
  '$1',
  '%',
  '_',
  '\\',
];
const hugeString = 'x'.repeat(200_000);
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

// Text the database cannot hold, weighted up: it is what got through to a 500 before.
const unstorable = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '@fuzz\u0000',
  'fuzz@example.com\u0000',
  '\ud800',
  'x\udfff',
  'FZ-1\u0000',
);
const hostileScalar = fc.oneof(
  fc.constantFrom(...SQLISH),
  { weight: 2, arbitrary: unstorable },
  fc.constantFrom(
    '',
    ' ',
    'null',
    'NaN',
    'Infinity',
    '-1',
    '0',
    '1e309',
    '9'.repeat(40),
    '2026-02-31T25:61:00Z',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '\u202e',
    '😀'.repeat(50),
    '__proto__',
    'constructor',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ),
  fc.constantFrom(
    hugeString,
    -1,
    0,
    1.5,
    -0,
    2 ** 31,
    2 ** 53 + 1,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    true,
    false,
    null,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(nested(64), nested(1000), [hugeString, hugeString], {}, []) },
);

function resolve(s: Schema | undefined): Schema | undefined {
  if (!s) return undefined;
  if (s.$ref) return resolve(doc.components?.schemas?.[s.$ref.split('/').pop()!]);
  return s;
}
function propertyNames(s: Schema | undefined): string[] {
  const r = resolve(s);
  if (!r) return [];
  return [
    ...Object.keys(r.properties ?? {}),
    ...[...(r.allOf ?? []), ...(r.anyOf ?? []), ...(r.oneOf ?? [])].flatMap(propertyNames),
  ];
}

/**
 * A valid body per operation: mutating one field of it reaches the services and the
 * database, where random bodies mostly stop at validation.
 */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/devices': { label: 'fuzz' },
  'POST /api/products': { sku: 'FZ-1', name: 'Fuzz bar', unitCostCents: 100, conditionProfile: 'chocolate' },
  'PATCH /api/products/{sku}': { name: 'Fuzz bar', limited: true },
  'POST /api/creators': {
    handle: '@fuzz',
    displayName: 'Fuzz',
    contact: { email: 'f@example.com', phone: '+1 555' },
    addresses: [{ line1: '1 Main St', city: 'LA', postalCode: '90001', country: 'US' }],
    notes: 'n',
  },
  'PATCH /api/creators/{id}': { displayName: 'Fuzz', standing: 'watch', standingReason: 'ok' },
  'POST /api/creators/{id}/merge': { duplicateId: 'CRT-999999' },
  'PATCH /api/follow-up-tasks/{id}': { ownerId: 999999, done: true, note: 'n' },
  'POST /api/samples': { creator: '@fuzz', sku: 'FZ-1', campaign: 'c' },
  'POST /api/sample-requests': { creator: '@fuzz', sku: 'FZ-1', campaign: 'c', source: 'form', requestedBy: 'me' },
  'POST /api/samples/{id}/events': { type: 'approve', reason: 'r', at: '2026-11-23T10:00:00Z', data: { note: 'x' } },
  'PUT /api/samples/{id}/geofences': { origin: { lat: 1, lon: 2 }, destination: null, radiusM: 300 },
  'POST /api/webhook-subscriptions': { url: 'https://example.com/hook', minSeverity: 'warning', description: 'd' },
  'POST /api/tokens': { name: 'fuzz token', role: 'viewer' },
  'POST /api/users': { email: 'fuzz@example.com', name: 'Fuzz', role: 'viewer', password: 'a long enough passphrase' },
  'PATCH /api/users/{id}': { name: 'Fuzz' },
  'POST /api/carrier-events': {
    trackingId: '1Z999',
    event: 'in_transit',
    at: '2026-11-23T10:00:00Z',
    location: 'LA',
    detail: 'd',
  },
  'POST /api/auth/login': { email: 'nobody@example.com', password: 'wrong password here' },
  'POST /api/exceptions/{id}/resolve': { disposition: 'accept', note: 'n' },
  'POST /api/exceptions/acknowledge': { ids: [999999] },
  'POST /api/exceptions/resolve': { ids: [999999], disposition: 'accept', note: 'n' },
};

/** Bodies: random JSON, objects of the operation's own field names holding hostile values, one field of a valid body made hostile. */
function bodyArbitrary(key: string, op: Operation): fc.Arbitrary<unknown> {
  const names = [...new Set(propertyNames(op.requestBody?.content['application/json']?.schema))];
  const keyed = names.length
    ? fc.dictionary(fc.constantFrom(...names), hostileValue, { minKeys: 1 })
    : fc.dictionary(fc.string(), hostileValue);
  const base = VALID_BODIES[key];
  const fields = [...new Set([...Object.keys(base ?? {}), ...names])];
  const mutated =
    base && fields.length
      ? fc.tuple(fc.constantFrom(...fields), hostileValue).map(([k, v]) => ({ ...base, [k]: v }))
      : keyed;
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 2, arbitrary: keyed },
    { weight: 4, arbitrary: mutated },
  );
}

/** Path parameter values; never a small number, which could name a real row (our own token, the admin). */
const pathValue = fc
  .oneof(
    unstorable,
    fc.constantFrom(
      ...SQLISH,
      '999999',
      '-1',
      '0',
      '1.5',
      '1e3',
      '99999999999999999999',
      '2147483648',
      '9999999999',
      '0x10',
      ' 999999',
      'NaN',
      '%00',
      '..',
      'x'.repeat(500),
      '😀',
      'SMP-26-000001',
    ),
    fc.string({ minLength: 1, maxLength: 30 }),
  )
  .filter((v) => !/^\s*\d{1,5}\s*$/.test(v) || v === '999999');

const queryValue = fc.oneof(
  hostileScalar.map((v) => String(v)),
  fc.array(fc.constantFrom(...SQLISH), { minLength: 2, maxLength: 3 }),
);

function operations(): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (path === '/api/live' || path === '/api/auth/logout') continue; // a WebSocket; ends our own session
      if (op.requestBody || op.parameters?.length) out.push({ method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

function concrete(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => percentEncode(values[name] ?? '999999'));
}

/** Every byte of the UTF-8 text percent-encoded (encodeURIComponent throws on a lone surrogate). */
function percentEncode(v: string): string {
  return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

async function send(opts: InjectOptions, label: string): Promise<number> {
  requests += 1;
  const res = await p.app.inject({ ...opts, headers: { ...auth, ...opts.headers } });
  statusCounts.set(res.statusCode, (statusCounts.get(res.statusCode) ?? 0) + 1);
  check(res.statusCode, res.body, res.headers['content-type'], label);
  return res.statusCode;
}

function check(status: number, text: string, contentType: unknown, label: string): void {
  if (status >= 500) {
    problems.push(`${label}: ${status} ${text.slice(0, 200)}`);
    return;
  }
  if (status >= 400) {
    let ok = false;
    try {
      const b = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      ok = typeof b.error?.code === 'string' && typeof b.error.message === 'string';
    } catch {
      /* not JSON: reported below */
    }
    if (!ok)
      problems.push(`${label}: ${status} without the error shape (${String(contentType)}): ${text.slice(0, 200)}`);
  }
}

describe('every API operation under hostile input (fuzz, as admin)', () => {
  it(
    'answers generated hostile bodies, path parameters and queries with 2xx or a shaped 4xx, never a 5xx',
    { timeout: 240_000 },
    async () => {
      const ops = operations();
      expect(ops.length).toBeGreaterThan(30);
      for (const { method, path, op } of ops) {
        const pathNames = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name);
        const queryNames = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
        const input = fc.record({
          params: fc.record(Object.fromEntries(pathNames.map((n) => [n, pathValue]))),
          query: queryNames.length ? fc.dictionary(fc.constantFrom(...queryNames), queryValue) : fc.constant({}),
          body: op.requestBody ? bodyArbitrary(`${method} ${path}`, op) : fc.constant(undefined),
        });
        await fc.assert(
          fc.asyncProperty(input, async ({ params, query, body }) => {
            const url = concrete(path, params as Record<string, string>);
            const qs = new URLSearchParams();
            for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
            const before = problems.length;
            await send(
              {
                method: method as InjectOptions['method'],
                url: qs.size ? `${url}?${qs}` : url,
                ...(body !== undefined
                  ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
                  : {}),
              },
              `${method} ${path}`,
            );
            if (problems.length > before) throw new Error(problems.slice(before).join('\n'));
          }),
          { numRuns: RUNS, seed, endOnFailure: true },
        );
      }
      const byStatus = [...statusCounts]
        .sort(([a], [b]) => a - b)
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
      console.log(
        `[api-fuzz] ${ops.length} operations, ${requests} generated requests (${byStatus}), ${problems.length} problems`,
      );
      expect(problems).toEqual([]);
    },
  );

  it('refuses malformed bodies on every body-taking operation with a shaped 4xx', { timeout: 120_000 }, async () => {
    const bodyOps = operations().filter((o) => o.op.requestBody);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const cases: [string, InjectOptions][] = [
      ['invalid JSON', { payload: '{"a": 1,', headers: { 'content-type': 'application/json' } }],
      ['empty JSON body', { payload: '', headers: { 'content-type': 'application/json' } }],
      [
        'JSON with a BOM and UTF-16',
        { payload: Buffer.from('\ufeff{"a":1}', 'utf16le'), headers: { 'content-type': 'application/json' } },
      ],
      [
        'invalid UTF-8',
        {
          payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
          headers: { 'content-type': 'application/json' },
        },
      ],
      ['__proto__ key', { payload: '{"__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } }],
      [
        'constructor.prototype key',
        { payload: '{"constructor":{"prototype":{"admin":true}}}', headers: { 'content-type': 'application/json' } },
      ],
      ['100k nested arrays', { payload: deep, headers: { 'content-type': 'application/json' } }],
      ['50k nested objects', { payload: deepObject, headers: { 'content-type': 'application/json' } }],
      [
        'NUL in a string',
        {
          payload: '{"name":"a\\u0000b","email":"a\\u0000@b.c","sku":"A\\u0000"}',
          headers: { 'content-type': 'application/json' },
        },
      ],
      ['text/plain', { payload: 'hello', headers: { 'content-type': 'text/plain' } }],
      ['form encoded', { payload: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['multipart', { payload: '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } }],
      ['text/csv of garbage', { payload: '\u0000,\u0000\n"unterminated', headers: { 'content-type': 'text/csv' } }],
      [
        'over the body limit',
        { payload: `"${'x'.repeat(BODY_LIMIT)}"`, headers: { 'content-type': 'application/json' } },
      ],
    ];
    const statuses = new Map<string, Set<number>>();
    for (const { method, path, op } of bodyOps) {
      const url = concrete(path, Object.fromEntries((op.parameters ?? []).map((x) => [x.name, '999999'])));
      for (const [name, opts] of cases) {
        const status = await send(
          { ...opts, method: method as InjectOptions['method'], url },
          `${method} ${path} (${name})`,
        );
        statuses.set(name, (statuses.get(name) ?? new Set()).add(status));
        if (name === 'over the body limit') expect(status, `${method} ${path}`).toBe(413);
        if (name === 'invalid JSON' || name === '100k nested arrays')
          expect(status, `${method} ${path} ${name}`).toBeGreaterThanOrEqual(400);
      }
    }
    console.log(
      `[api-fuzz] malformed bodies × ${bodyOps.length} operations: ${[...statuses].map(([k, v]) => `${k} → ${[...v].join('/')}`).join('; ')}`,
    );
    expect(problems).toEqual([]);
    expect(Object.prototype).not.toHaveProperty('admin');
  });

  it('refuses NUL and unpaired surrogates anywhere in a request with 400 (regression: 500 from the database)', async () => {
    const cases: [string, string, unknown?][] = [
      ['POST', '/api/products', { sku: 'FZ-N', name: 'a\u0000b', unitCostCents: 1 }],
      ['POST', '/api/creators', { handle: '@fz', notes: 'x\u0000' }],
      ['POST', '/api/devices', { label: 'a\u0000' }],
      ['POST', '/api/tokens', { name: 'x\u0000', role: 'viewer' }],
      [
        'POST',
        '/api/users',
        { email: 'u@b.co', name: 'a\u0000', role: 'viewer', password: 'a long enough passphrase' },
      ],
      ['POST', '/api/auth/login', { email: 'a\u0000@b.co', password: 'x\u0000yyyyyyyyyyyy' }],
      ['POST', '/api/carrier-events', { trackingId: '1Z\u0000', event: 'in_transit', at: '2026-11-23T10:00:00Z' }],
      ['POST', '/api/webhook-subscriptions', { url: 'https://example.com/hook', description: 'a\u0000' }],
      ['POST', '/api/products', { sku: 'FZ-S', name: 'a\ud800b', unitCostCents: 1 }],
      ['GET', '/api/creators/a%00b'],
      ['GET', '/api/samples?creator=a%00b'],
      ['GET', '/api/audit?actor=a%00b'],
      ['GET', '/api/creators?q=a%00b'],
    ];
    for (const [method, url, json] of cases) {
      const res = await p.app.inject({
        method: method as 'GET',
        url,
        headers: { ...auth, ...(json ? { 'content-type': 'application/json' } : {}) },
        ...(json ? { payload: JSON.stringify(json) } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json(), `${method} ${url}`).toMatchObject({
        error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/NUL|surrogate/) },
      });
    }
  });

  it('answers a path parameter over the router limit and a malformed URL in the error shape (regression)', async () => {
    const long = await p.app.inject({ method: 'GET', url: `/api/devices/${'x'.repeat(500)}`, headers: auth });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ error: { code: 'URI_TOO_LONG', message: expect.any(String) } });
    const bad = await p.app.inject({ method: 'GET', url: '/api/devices/%E0%A4%A', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_URL', message: expect.any(String) } });
  });

  it('takes a body exactly at the limit (refused by validation, not by size)', async () => {
    const text = `{"sku":"${'x'.repeat(BODY_LIMIT - 10)}"}`;
    expect(Buffer.byteLength(text)).toBe(BODY_LIMIT);
    const status = await send(
      { method: 'POST', url: '/api/products', payload: text, headers: { 'content-type': 'application/json' } },
      'POST /api/products at the limit',
    );
    expect(status).toBe(400);
    expect(problems).toEqual([]);
  });

  it('refuses deep nesting and an oversized body over a real socket, then keeps serving', async () => {
    const post = (body: BodyInit, contentType = 'application/json') =>
      fetch(`${p.httpUrl}/api/products`, { method: 'POST', headers: { ...auth, 'content-type': contentType }, body });
    const deep = await post('['.repeat(100_000) + ']'.repeat(100_000));
    expect(deep.status).toBe(400);
    expect((await deep.json()) as unknown).toMatchObject({
      error: { code: expect.any(String), message: expect.any(String) },
    });
    const big = await post(`"${'x'.repeat(2 * BODY_LIMIT)}"`);
    expect(big.status).toBe(413);
    expect((await big.json()) as unknown).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect((await fetch(`${p.httpUrl}/healthz`)).status).toBe(200);
    const normal = await p.api<{ sku: string }>('/api/products', {
      method: 'POST',
      json: { sku: 'FUZZ-OK-1', name: 'Still serving', unitCostCents: 100 },
    });
    expect(normal.status).toBe(201);
    expect((await p.api('/api/samples')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { label, programApi } from './sample-program.support.ts';

let p: TestPlatform;
let sampleId = '';
beforeAll(async () => {
  p = await startTestPlatform();
  const api = programApi(p);
  await api.creator('@err');
  await api.product('ERR-1');
  sampleId = (await api.request({ creator: '@err', sku: 'ERR-1' })).sample.id;
  await api.event(sampleId, label('1ZERR'));
});
afterAll(async () => {
  await p?.close();
});

type Case = [method: string, path: string, body: unknown, status: number, code: string];
// `:sample` stands for a sample in label_created, made before the tests run.
const CASES: Case[] = [
  ['POST', '/api/creators', { handle: '' }, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/creators', { handle: '@x', contact: { email: 'not-an-email' } }, 400, 'VALIDATION_FAILED'],
  [
    'POST',
    '/api/creators',
    { handle: '@x', addresses: [{ line1: '1', city: 'A', postalCode: '1', country: 'usa' }] },
    400,
    'VALIDATION_FAILED',
  ],
  ['POST', '/api/creators', { handle: '@err' }, 409, 'ALREADY_EXISTS'],
  ['GET', '/api/creators/CRT-999999', undefined, 404, 'NOT_FOUND'],
  ['PATCH', '/api/creators/@err', {}, 400, 'VALIDATION_FAILED'],
  ['PATCH', '/api/creators/@err', { standing: 'banned' }, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/creators/@nobody/sampled?sku=ERR-1', undefined, 404, 'NOT_FOUND'],
  ['POST', '/api/products', { sku: 'bad sku', name: 'x', unitCostCents: 1 }, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/products', { sku: 'P-1', name: 'x', unitCostCents: -1 }, 400, 'VALIDATION_FAILED'],
  [
    'POST',
    '/api/products',
    { sku: 'P-1', name: 'x', unitCostCents: 1, conditionProfile: 'lukewarm' },
    400,
    'VALIDATION_FAILED',
  ],
  ['POST', '/api/products', { sku: 'ERR-1', name: 'x', unitCostCents: 1 }, 409, 'ALREADY_EXISTS'],
  ['PATCH', '/api/products/NOPE', { limited: true }, 404, 'NOT_FOUND'],
  ['POST', '/api/sample-requests', { creator: '@err', sku: 'ERR-1' }, 400, 'VALIDATION_FAILED'],
  [
    'POST',
    '/api/sample-requests',
    { creator: '@err', sku: 'ERR-1', campaign: 'c', source: 'fax' },
    400,
    'VALIDATION_FAILED',
  ],
  ['POST', '/api/sample-requests', { creator: '@ghost', sku: 'ERR-1', campaign: 'c', source: 'dm' }, 404, 'NOT_FOUND'],
  ['POST', '/api/sample-requests', { creator: '@err', sku: 'NOPE', campaign: 'c', source: 'dm' }, 404, 'NOT_FOUND'],
  ['POST', '/api/samples/:sample/events', { type: 'teleport' }, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/samples/:sample/events', { type: 'approve' }, 409, 'INVALID_TRANSITION'],
  ['POST', '/api/samples/:sample/events', { type: 'dispatch', data: { packedItems: [] } }, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/samples/:sample/events', { type: 'cancel' }, 400, 'VALIDATION_FAILED'],
  [
    'POST',
    '/api/samples/:sample/events',
    { type: 'approve', actor: { kind: 'policy', id: 'me' } },
    400,
    'VALIDATION_FAILED',
  ],
  ['POST', '/api/samples/SMP-26-999999/events', { type: 'approve' }, 404, 'NOT_FOUND'],
  ['POST', '/api/samples/:sample/reship', {}, 409, 'INVALID_TRANSITION'],
  ['POST', '/api/samples/:sample/reship', { requestedBy: 'x' }, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/samples/not-an-id/timeline', undefined, 400, 'VALIDATION_FAILED'],
  [
    'POST',
    '/api/carrier-events',
    { trackingId: '1ZERR', event: 'delivered', at: '2026-01-01T10:00:00' },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'POST',
    '/api/carrier-events',
    { trackingId: '1ZERR', event: 'beamed', at: '2026-01-01T10:00:00Z' },
    400,
    'VALIDATION_FAILED',
  ],
  [
    'POST',
    '/api/carrier-events',
    { trackingId: 'UNKNOWN', event: 'delivered', at: '2026-01-01T10:00:00Z' },
    404,
    'NOT_FOUND',
  ],
  ['GET', '/api/kpis', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/kpis?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', undefined, 400, 'VALIDATION_FAILED'],
  [
    'GET',
    '/api/kpis.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&groupBy=planet',
    undefined,
    400,
    'VALIDATION_FAILED',
  ],
  ['GET', '/api/samples.csv?from=yesterday', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/outbox?status=lost', undefined, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/outbox/abc/retry', undefined, 400, 'VALIDATION_FAILED'],
  ['POST', '/api/outbox/999999/retry', undefined, 404, 'NOT_FOUND'],
  ['GET', '/api/samples/labels', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/samples/labels?ids=:sample&layout=a5', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/samples/labels?ids=:sample,SMP-26-999999', undefined, 404, 'NOT_FOUND'],
  ['GET', '/api/samples/:sample/label.svg?content=both', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/samples/:sample/label.png?scale=0', undefined, 400, 'VALIDATION_FAILED'],
  ['GET', '/api/samples/SMP-26-999999/barcode.svg', undefined, 404, 'NOT_FOUND'],
  ['POST', '/api/samples/import', 'creator,sku\n@err,ERR-1', 400, 'VALIDATION_FAILED'],
];

describe('bad input to the sample-program endpoints gets a 4xx with the stable error shape', () => {
  it.each(CASES)('%s %s → %i', async (method, path, body, status, code) => {
    const csv = typeof body === 'string';
    const res = await fetch(p.httpUrl + path.replace(':sample', sampleId), {
      method,
      headers: {
        ...(await p.authHeaders()),
        ...(body === undefined ? {} : { 'content-type': csv ? 'text/csv' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: csv ? body : JSON.stringify(body) }),
    });
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect({ status: res.status, code: json.error?.code }).toEqual({ status, code });
    expect(typeof json.error.message).toBe('string');
  });

  it('refuses unparseable JSON and a wrong media type with stable codes', async () => {
    const bad = await fetch(`${p.httpUrl}/api/creators`, {
      method: 'POST',
      headers: { ...(await p.authHeaders()), 'content-type': 'application/json' },
      body: '{"handle":',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_JSON');
    const media = await fetch(`${p.httpUrl}/api/samples/import`, {
      method: 'POST',
      headers: { ...(await p.authHeaders()), 'content-type': 'application/xml' },
      body: '<x/>',
    });
    expect(media.status).toBe(415);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { dispatch, label, programApi, type Transition } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
});
afterAll(async () => {
  await p?.close();
});

describe('creators and products', () => {
  it('keeps one record per creator with PII on it only, and answers "already sampled?"', async () => {
    const c = await api.creator('@nora.bakes', {
      contact: { email: 'nora@example.com' },
      addresses: [{ line1: '1 Main St', city: 'Austin', postalCode: '78701', country: 'US' }],
    });
    expect(c).toMatchObject({ id: expect.stringMatching(/^CRT-\d{6}$/), standing: 'active' });
    await api.call('POST', '/api/creators', { handle: '@NORA.bakes' }, 409);
    await api.product('NB-SERUM', { conditionProfile: 'fragile' });
    const before = await api.call<{ alreadySampled: boolean }>(
      'GET',
      `/api/creators/${c.id}/sampled?sku=NB-SERUM`,
      undefined,
      200,
    );
    expect(before.alreadySampled).toBe(false);

    const { sample } = await api.request({ creator: '@nora.bakes', sku: 'NB-SERUM' });
    expect(sample.status).toBe('approved');
    expect(sample).not.toHaveProperty('contact');
    const record = await api.call<{
      alreadySampled: boolean;
      contact: { email: string };
      skus: { sku: string }[];
      history: { samplesRequested: number };
    }>('GET', `/api/creators/${encodeURIComponent('@nora.bakes')}`, undefined, 200);
    expect(record).toMatchObject({
      alreadySampled: true,
      contact: { email: 'nora@example.com' },
      skus: [{ sku: 'NB-SERUM' }],
      history: { samplesRequested: 1 },
    });
    const product = await api.call<{ inventoryOnHand: number; conditionProfile: { name: string } }>(
      'GET',
      '/api/products/NB-SERUM',
      undefined,
      200,
    );
    expect(product).toMatchObject({ inventoryOnHand: 9, conditionProfile: { name: 'fragile' } });
  });
});

describe('sample lifecycle', () => {
  it('refuses an invalid transition naming the current state and the allowed events', async () => {
    await api.creator('@lee');
    await api.product('LEE-1', { unitCostCents: 9000 });
    const { sample, decision } = await api.request({ creator: '@lee', sku: 'LEE-1' });
    expect(decision).toMatchObject({ decision: 'needs_approver', rule: 'expensive_sku' });
    expect(sample.status).toBe('requested');
    const res = await p.api<{
      error: { code: string; message: string; details: { current: string; allowed: string[] } };
    }>(`/api/samples/${sample.id}/events`, { method: 'POST', json: dispatch });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { current: 'requested', allowed: ['approve', 'reject', 'cancel'] },
    });
    expect(res.body.error.message).toContain('"requested"');

    const approved = await api.event(sample.id, { type: 'approve' });
    expect(approved.sample.status).toBe('approved');
    expect(approved.transitions[0]).toMatchObject({
      event: 'approve',
      data: { rule: 'named_approver' },
    });
    const timeline = await api.call<{ transitions: Transition[]; allowedEvents: string[] }>(
      'GET',
      `/api/samples/${sample.id}/timeline`,
      undefined,
      200,
    );
    expect(timeline.transitions.map((t) => t.event)).toEqual(['request', 'approve']);
    expect(timeline.allowedEvents).toEqual(['cancel', 'create_label']);
  });

  it('respects inventory: the last unit goes, then the policy refuses', async () => {
    await api.creator('@one');
    await api.creator('@two');
    await api.product('LAST-1', { inventoryOnHand: 1 });
    expect((await api.request({ creator: '@one', sku: 'LAST-1' })).sample.status).toBe('approved');
    const second = await api.request({ creator: '@two', sku: 'LAST-1' });
    expect(second.decision).toMatchObject({ decision: 'rejected', rule: 'out_of_stock' });
    expect(second.transitions.at(-1)).toMatchObject({
      event: 'reject',
      actor: { kind: 'policy', id: 'policy:out_of_stock' },
    });
  });

  it('drives the lifecycle from the carrier webhook, idempotently', async () => {
    await api.creator('@cara');
    await api.product('CARA-1');
    const { sample } = await api.request({ creator: '@cara', sku: 'CARA-1' });
    await api.event(sample.id, label('1ZCARA0001'));
    const body = {
      trackingId: '1ZCARA0001',
      event: 'delivered',
      at: '2026-11-20T10:00:00+01:00',
      detail: 'left at door',
    };
    const first = await api.call<{ effect: string }>('POST', '/api/carrier-events', body, 200);
    const again = await api.call<{ effect: string }>('POST', '/api/carrier-events', body, 200);
    expect([first.effect, again.effect]).toEqual(['transition', 'stale']);
    const after = await api.call<{ status: string; receivedAt: string }>(
      'GET',
      `/api/samples/${sample.id}`,
      undefined,
      200,
    );
    expect(after).toMatchObject({ status: 'delivered', receivedAt: '2026-11-20T09:00:00.000Z' });
    const timeline = await api.call<{ transitions: Transition[] }>(
      'GET',
      `/api/samples/${sample.id}/timeline`,
      undefined,
      200,
    );
    expect(timeline.transitions.filter((t) => t.event === 'deliver')).toHaveLength(1);
    const unknown = await p.api<{ error: { code: string } }>('/api/carrier-events', {
      method: 'POST',
      json: { ...body, trackingId: 'NOPE' },
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});

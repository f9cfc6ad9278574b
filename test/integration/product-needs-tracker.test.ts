import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/** A product's "needs a tracker" flag: stored, edited and audited like its other fields. */
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.close());

interface Product {
  sku: string;
  needsTracker: boolean;
}

describe('products: needs a tracker', () => {
  it('defaults to false, is set on create and changed by PATCH with an audit row', async () => {
    const plain = await p.api<Product>('/api/products', {
      method: 'POST',
      json: { sku: 'NT-PLAIN', name: 'Plain', unitCostCents: 100 },
    });
    expect(plain.status).toBe(201);
    expect(plain.body.needsTracker).toBe(false);

    const tracked = await p.api<Product>('/api/products', {
      method: 'POST',
      json: { sku: 'NT-CHOC', name: 'Choc', unitCostCents: 100, needsTracker: true },
    });
    expect(tracked.body.needsTracker).toBe(true);

    const patched = await p.api<Product>('/api/products/NT-PLAIN', {
      method: 'PATCH',
      json: { needsTracker: true },
      as: 'ops',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.needsTracker).toBe(true);
    expect((await p.api<Product>('/api/products/NT-PLAIN')).body.needsTracker).toBe(true);

    const audit = await p.api<{ entries: { action: string; detail: Record<string, unknown> }[] }>(
      '/api/audit?entity=product:NT-PLAIN',
    );
    expect(audit.body.entries[0]).toMatchObject({
      action: 'product.update',
      detail: { before: { needsTracker: false }, after: { needsTracker: true } },
    });

    const refused = await p.api('/api/products/NT-PLAIN', { method: 'PATCH', json: { needsTracker: 'yes' } });
    expect(refused.status).toBe(400);
  });
});

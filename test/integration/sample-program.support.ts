import { expect } from 'vitest';
import type { TestPlatform } from '../support/platform.ts';

/** API helpers shared by the sample-program tests: each call asserts its status. */
export function programApi(p: TestPlatform) {
  async function call<T>(method: string, path: string, json: unknown, status: number): Promise<T> {
    const res = await p.api<T>(path, { method, ...(json === undefined ? {} : { json }) });
    if (res.status !== status)
      expect({ path, status: res.status, body: res.body }).toEqual({ path, status, body: expect.anything() });
    return res.body;
  }
  return {
    call,
    creator: (handle: string, extra: Record<string, unknown> = {}) =>
      call<{ id: string; handle: string; standing: string }>('POST', '/api/creators', { handle, ...extra }, 201),
    product: (sku: string, extra: Record<string, unknown> = {}) =>
      call<{ sku: string; inventoryOnHand: number }>(
        'POST',
        '/api/products',
        { sku, name: sku, unitCostCents: 1200, inventoryOnHand: 10, ...extra },
        201,
      ),
    request: (body: Record<string, unknown>, status = 201) =>
      call<RequestResult>('POST', '/api/sample-requests', { campaign: 'spring', source: 'form', ...body }, status),
    event: (id: string, body: Record<string, unknown>, status = 200) =>
      call<{ sample: Sample; transitions: Transition[] }>('POST', `/api/samples/${id}/events`, body, status),
  };
}

export interface Sample {
  id: string;
  status: string;
  creatorId: string;
  reshipOf: string | null;
  reshippedAs: string | null;
  [k: string]: unknown;
}
export interface Transition {
  event: string;
  from: string | null;
  to: string;
  actor: { kind: string; id: string };
  reason: string | null;
  data: Record<string, unknown>;
}
export interface RequestResult {
  sample: Sample;
  decision: { decision: string; rule: string; reasons: string[] };
  transitions: Transition[];
}

export const DAY = 86_400_000;
export const label = (trackingId: string, extra: Record<string, unknown> = {}) => ({
  type: 'create_label',
  data: { carrier: 'ups', serviceLevel: 'ground', trackingId, shippingCostCents: 600, packaging: 'mailer', ...extra },
});
export const dispatch = {
  type: 'dispatch',
  data: { packedItems: [{ skuId: 'x', quantity: 1 }], warehouseConfirmation: 'WH-1' },
};

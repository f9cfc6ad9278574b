import { expect } from 'vitest';
import { systemActor } from '../../core/domain/auth/principal.ts';
import type { As, TestPlatform } from '../support/platform.ts';

/** The program's people: a creator manager who requests, and an approver who is someone else. */
export const MIA: As = { person: 'mia', role: 'ops' };
export const LEAD: As = { person: 'lead-kim', role: 'ops', approvalLimitCents: 100_000 };

/** API helpers shared by the sample-program tests: each call asserts its status. */
export function programApi(p: Pick<TestPlatform, 'api'>) {
  async function call<T>(method: string, path: string, json: unknown, status: number, as?: As): Promise<T> {
    const res = await p.api<T>(path, { method, ...(json === undefined ? {} : { json }), ...(as ? { as } : {}) });
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
    /** A request by Mia (ops) unless `as` says who. */
    request: (body: Record<string, unknown>, status = 201, as: As = MIA) =>
      call<RequestResult>('POST', '/api/sample-requests', { campaign: 'spring', source: 'form', ...body }, status, as),
    /** An event applied by the admin token unless `as` says who (the approver, say). */
    event: (id: string, body: Record<string, unknown>, status = 200, as?: As) =>
      call<{ sample: Sample; transitions: Transition[] }>('POST', `/api/samples/${id}/events`, body, status, as),
  };
}

/**
 * Evidence the platform itself applies (the condition monitor for a tracker, rules/tracker-evidence.ts):
 * through the lifecycle service with the tracker as actor, never through a person's API call.
 */
export async function trackerEvent(
  p: TestPlatform,
  sampleId: string,
  deviceId: string,
  e: {
    type: 'report_damage' | 'deliver' | 'confirm_receipt';
    at: number;
    reason?: string;
    data: Record<string, unknown>;
  },
): Promise<{ sample: Sample; transitions: Transition[] }> {
  const r = await p.services.lifecycle.applyEvent(
    sampleId,
    {
      type: e.type,
      actor: { kind: 'tracker', id: deviceId },
      at: new Date(e.at),
      data: e.data,
      ...(e.reason ? { reason: e.reason } : {}),
    },
    systemActor('tracker'),
  );
  return JSON.parse(JSON.stringify(r)) as { sample: Sample; transitions: Transition[] };
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

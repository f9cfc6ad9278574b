import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { dispatch, label, programApi, trackerEvent, type Sample } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
});
afterAll(async () => {
  await p?.close();
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const suffix = () => Math.random().toString(36).slice(2, 8);
const sample = (id: string) =>
  api.call<Sample & { receivedAt: string | null }>('GET', `/api/samples/${id}`, undefined, 200);

interface Resolved {
  status: string;
  disposition: string;
  sampleAction: {
    kind: string;
    reshipId?: string;
    claimId?: number;
    decision?: string;
    reused?: boolean;
    damageRecorded?: boolean;
    originalStatus?: string;
    status?: string;
  };
}
const resolve = (id: number, disposition: string, status = 200, as: 'admin' | 'fulfillment' = 'admin') =>
  p
    .api<Resolved & { error?: { code: string } }>(`/api/exceptions/${id}/resolve`, {
      method: 'POST',
      as,
      json: { disposition },
    })
    .then((res) => {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      return res.body;
    });

/** A shipped sample with a tracker, in transit since an hour from now (events after the request). */
async function inTransit(): Promise<{ id: string; trackingId: string; deviceId: string }> {
  const handle = `@disp.${suffix()}`;
  const sku = `D-${suffix()}`.toUpperCase();
  await api.creator(handle);
  await api.product(sku);
  const { sample: s } = await api.request({ creator: handle, sku });
  const trackingId = `1Z${suffix()}`.toUpperCase();
  await api.event(s.id, label(trackingId));
  await api.event(s.id, dispatch);
  const { id: deviceId } = await p.provisionDevice(`trk-d-${suffix()}`);
  await api.call('PUT', `/api/samples/${s.id}/tracker`, { deviceId }, 200);
  await api.call('POST', '/api/carrier-events', { trackingId, event: 'in_transit', at: iso(Date.now() + HOUR) }, 200);
  return { id: s.id, trackingId, deviceId };
}

/** A condition exception as the monitor stores it (condition_exceptions row), open. */
async function exceptionOn(sampleId: string, deviceId: string, type = 'too_hot'): Promise<number> {
  const { rows } = await p.pool.query<{ id: string }>(
    `insert into condition_exceptions (sample_id, device_id, episode_id, rule, type, severity, started_at, peak, limit_value, duration_ms, evidence)
     values ($1, $2, $3, 'temperature', $4, 'critical', now(), 31, 28, 1500000, '{1,2}') returning id`,
    [sampleId, deviceId, `ep-${suffix()}`, type],
  );
  return Number(rows[0]!.id);
}

describe("an exception's disposition acts on the sample", () => {
  it('reship: damage recorded by the resolving person, the reship goes through the policy, and the original closes when it is approved', async () => {
    const s = await inTransit();
    const ex = await exceptionOn(s.id, s.deviceId);
    const done = await resolve(ex, 'reship', 200, 'fulfillment');
    expect(done).toMatchObject({
      status: 'resolved',
      disposition: 'reship',
      sampleAction: {
        kind: 'reship',
        decision: 'needs_approver',
        reused: false,
        damageRecorded: true,
        originalStatus: 'damaged',
      },
    });
    const reshipId = done.sampleAction.reshipId!;
    expect(await sample(reshipId)).toMatchObject({
      status: 'requested',
      reshipOf: s.id,
      policyDecision: { rule: 'reship' },
    });
    // The sample's changes are the signed-in person's, not the typed name.
    const me = await p.api<{ email: string }>('/api/auth/me', { as: 'fulfillment' });
    const tl = await api.call<{ transitions: { event: string; actor: { kind: string; id: string } }[] }>(
      'GET',
      `/api/samples/${s.id}/timeline`,
      undefined,
      200,
    );
    expect(tl.transitions.at(-1)).toMatchObject({ event: 'report_damage', actor: { kind: 'user', id: me.body.email } });
    expect((await sample(reshipId)).requestedBy).toBe(me.body.email);

    // A second exception on the same parcel resolved as reship joins the same reship.
    const again = await resolve(await exceptionOn(s.id, s.deviceId, 'shock'), 'reship');
    expect(again.sampleAction).toMatchObject({ kind: 'reship', reshipId, reused: true });

    const approved = await api.event(reshipId, { type: 'approve' });
    expect(approved.transitions.map((t) => t.event)).toEqual(['approve', 'reship']);
    expect(await sample(s.id)).toMatchObject({ status: 'reshipped', reshippedAs: reshipId });
  });

  it('reship with an auto-approving policy closes the original at once', async () => {
    await api.call('PATCH', '/api/policy', { approval: { reshipNeedsApprover: false } }, 200);
    try {
      const s = await inTransit();
      const done = await resolve(await exceptionOn(s.id, s.deviceId), 'reship');
      expect(done.sampleAction).toMatchObject({ kind: 'reship', decision: 'approved', originalStatus: 'reshipped' });
      expect(await sample(s.id)).toMatchObject({ status: 'reshipped', reshippedAs: done.sampleAction.reshipId });
    } finally {
      await api.call('PATCH', '/api/policy', { approval: { reshipNeedsApprover: true } }, 200);
    }
  });

  it('carrier_claim opens one claim on the sample, which moves open → submitted → paid, audited', async () => {
    const s = await inTransit();
    const ex = await exceptionOn(s.id, s.deviceId);
    const done = await resolve(ex, 'carrier_claim');
    expect(done.sampleAction).toMatchObject({ kind: 'carrier_claim', reused: false });
    const claimId = done.sampleAction.claimId!;
    const me = await p.api<{ email: string; tokenId: number }>('/api/auth/me');
    const claims = await api.call<{
      claims: { id: number; status: string; carrier: string; exceptionId: number; openedBy: string }[];
    }>('GET', `/api/samples/${s.id}/claims`, undefined, 200);
    expect(claims.claims).toEqual([
      expect.objectContaining({
        id: claimId,
        status: 'open',
        carrier: 'ups',
        exceptionId: ex,
        openedBy: me.body.email,
      }),
    ]);
    // The same parcel's next exception joins it; a hand-opened second claim is refused.
    expect((await resolve(await exceptionOn(s.id, s.deviceId, 'shock'), 'carrier_claim')).sampleAction).toMatchObject({
      claimId,
      reused: true,
    });
    const dup = await p.api<{ error: { code: string; details: { claimId: number } } }>(`/api/samples/${s.id}/claims`, {
      method: 'POST',
      json: {},
    });
    expect(dup).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT', details: { claimId } } } });

    const wrong = await p.api<{ error: { code: string } }>(`/api/claims/${claimId}`, {
      method: 'PATCH',
      json: { status: 'paid' },
    });
    expect(wrong).toMatchObject({ status: 409, body: { error: { code: 'INVALID_TRANSITION' } } });
    await api.call('PATCH', `/api/claims/${claimId}`, { status: 'submitted', amountCents: 4500 }, 200);
    const paid = await api.call<{ status: string; amountCents: number }>(
      'PATCH',
      `/api/claims/${claimId}`,
      { status: 'paid' },
      200,
    );
    expect(paid).toMatchObject({ status: 'paid', amountCents: 4500 });
    const audit = await api.call<{ entries: { actor: string; action: string; detail: { to?: string } }[] }>(
      'GET',
      `/api/audit?entity=sample:${s.id}`,
      undefined,
      200,
    );
    expect(
      audit.entries.filter((e) => e.action.startsWith('claim.')).map((e) => [e.actor, e.action, e.detail.to ?? null]),
    ).toEqual([
      [`token:${me.body.tokenId}`, 'claim.update', 'paid'],
      [`token:${me.body.tokenId}`, 'claim.update', 'submitted'],
      [`token:${me.body.tokenId}`, 'claim.open', null],
    ]);
  });

  it('accept resumes the content clock of a delivered damaged sample; write_off closes a send as a loss', async () => {
    const s = await inTransit();
    await trackerEvent(p, s.id, s.deviceId, {
      type: 'report_damage',
      at: Date.now() + 2 * HOUR,
      data: { note: 'too hot', suspectedCause: 'transit' },
    });
    await api.call(
      'POST',
      '/api/carrier-events',
      { trackingId: s.trackingId, event: 'delivered', at: iso(Date.now() + 3 * HOUR) },
      200,
    );
    const accepted = await resolve(await exceptionOn(s.id, s.deviceId), 'accept');
    expect(accepted.sampleAction).toEqual({ kind: 'damage_resolved', status: 'content_due' });
    expect((await sample(s.id)).receivedAt).not.toBeNull();

    const lost = await inTransit();
    const off = await resolve(await exceptionOn(lost.id, lost.deviceId), 'write_off');
    expect(off.sampleAction).toEqual({ kind: 'write_off', status: 'written_off', damageRecorded: true });
    const tl = await api.call<{ status: string; allowedEvents: string[] }>(
      'GET',
      `/api/samples/${lost.id}/timeline`,
      undefined,
      200,
    );
    expect(tl).toMatchObject({ status: 'written_off', allowedEvents: [] });
    // A second exception of the written-off sample, resolved the same way, only closes.
    const again = await resolve(await exceptionOn(lost.id, lost.deviceId, 'shock'), 'write_off');
    expect(again).toMatchObject({
      status: 'resolved',
      sampleAction: { kind: 'write_off', status: 'written_off', damageRecorded: false },
    });
  });

  it('a disposition the sample cannot take is refused and the exception stays open', async () => {
    await p.product('BARE-1');
    const { body: bare } = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: `@bare.${suffix()}`, sku: 'BARE-1' },
    });
    const { id: deviceId } = await p.provisionDevice(`trk-b-${suffix()}`);
    const ex = await exceptionOn(bare.id, deviceId);
    const refused = await resolve(ex, 'reship', 409);
    expect(refused.error?.code).toBe('INVALID_TRANSITION');
    const still = await p.api<{ status: string }>(`/api/exceptions/${ex}`);
    expect(still.body.status).toBe('open');
    expect((await sample(bare.id)).status).toBe('approved');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, LEAD, dispatch, label, programApi, type Sample, type Transition } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
});
afterAll(async () => {
  await p?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();
const timeline = async (id: string) =>
  (await api.call<{ transitions: Transition[] }>('GET', `/api/samples/${id}/timeline`, undefined, 200)).transitions;
const sample = (id: string) => api.call<Sample>('GET', `/api/samples/${id}`, undefined, 200);
const creator = (id: string) =>
  api.call<{ standing: string; standingReason: string | null }>('GET', `/api/creators/${id}`, undefined, 200);
const follow = (id: string) =>
  api.call<{ followUps: { key: string; action: string }[] }>('GET', `/api/samples/${id}/follow-ups`, undefined, 200);

/** A sample of a new creator, approved by the policy and delivered by the carrier at `deliveredAt`. */
async function deliveredSample(
  handle: string,
  sku: string,
  deliveredAt: number,
): Promise<{ id: string; creatorId: string }> {
  const c = await api.creator(handle);
  const { sample: s } = await api.request({ creator: handle, sku });
  await api.event(s.id, label(`TRK-${handle}`));
  await api.event(s.id, dispatch);
  await api.call(
    'POST',
    '/api/carrier-events',
    { trackingId: `TRK-${handle}`, event: 'delivered', at: iso(deliveredAt) },
    200,
  );
  return { id: s.id, creatorId: c.id };
}

describe('the sample program through the API', () => {
  it('request → policy approval → label → dispatch → delivery → reminder → post → outcome → KPIs', async () => {
    const ava = await api.creator('@ava.cooks');
    await api.product('SERUM-30', { unitCostCents: 1200, inventoryOnHand: 5 });

    const req = await api.request({ creator: '@ava.cooks', sku: 'SERUM-30', campaign: 'launch' });
    expect(req.decision).toMatchObject({ decision: 'approved', rule: 'auto_approve_low_risk' });
    expect(req.transitions.map((t) => [t.event, t.actor.kind, t.actor.id])).toEqual([
      ['request', 'user', 'mia@test.local'],
      ['approve', 'policy', 'policy:auto_approve_low_risk'],
    ]);
    const id = req.sample.id;

    await api.event(id, label('1ZAVA', { trackerId: 'trk-000001' }));
    await api.event(id, dispatch);
    // Every later time counts from when the dispatch was stored, however long the steps
    // above took on a loaded machine (the follow-ups are due from the dispatch's own time).
    const t0 = Date.now();
    const scheduler = new FollowUpScheduler(p.db.pool);
    // Read back from the database, not from runOnce's result: a platform scheduler may have fired them first.
    await scheduler.runOnce(new Date(t0 + 500));
    expect((await follow(id)).followUps.map((f) => f.action).sort()).toEqual([
      'send_brief',
      'send_shipment_confirmation',
    ]);
    await api.call(
      'POST',
      '/api/carrier-events',
      { trackingId: '1ZAVA', event: 'in_transit', at: iso(t0 + 1000) },
      200,
    );
    await api.call('POST', '/api/carrier-events', { trackingId: '1ZAVA', event: 'delivered', at: iso(t0 + 2000) }, 200);

    // Days later, no post yet: the posting reminder (and, receipt unconfirmed, a human follow-up).
    await scheduler.runOnce(new Date(t0 + 6 * DAY));
    expect((await follow(id)).followUps.map((f) => f.action).sort()).toEqual([
      'assign_human_follow_up',
      'request_receipt_and_condition_check',
      'send_brief',
      'send_posting_reminder',
      'send_shipment_confirmation',
    ]);
    const outbox = await api.call<{
      messages: { kind: string; recipient: string; payload: Record<string, unknown> }[];
    }>('GET', `/api/outbox?sampleId=${id}`, undefined, 200);
    expect(outbox.messages.find((m) => m.kind === 'send_posting_reminder')).toMatchObject({
      recipient: `creator:${ava.id}`,
    });
    expect(JSON.stringify(outbox.messages)).not.toContain('@example');

    const publishedAt = t0 + 2000 + 8 * DAY;
    await api.event(id, {
      type: 'post',
      at: iso(publishedAt),
      data: { postUrl: 'https://www.tiktok.com/@ava.cooks/video/1', publishedAt: iso(publishedAt), usableForAds: true },
    });
    await scheduler.runOnce(new Date(publishedAt + DAY));
    expect((await follow(id)).followUps.map((f) => f.action)).toContain('log_post');
    await api.event(id, { type: 'record_outcome', data: { orders: 3, gmvCents: 9000, classification: 'converted' } });

    const done = await sample(id);
    expect(done).toMatchObject({
      status: 'outcome_recorded',
      gmvCents: 9000,
      usableForAds: true,
      trackerCostShareCents: 300,
      shippingCostCents: 600,
    });
    expect((await timeline(id)).map((t) => t.to)).toEqual([
      'requested',
      'approved',
      'label_created',
      'dispatched',
      'in_transit',
      'delivered',
      'posted',
      'outcome_recorded',
    ]);
    const kpis = await api.call<{ groups: { key: string; kpis: Record<string, unknown> }[] }>(
      'GET',
      `/api/kpis?from=${iso(t0 - DAY)}&to=${iso(t0 + DAY)}&groupBy=creator`,
      undefined,
      200,
    );
    expect(kpis.groups.find((g) => g.key === '@ava.cooks')?.kpis).toMatchObject({
      samplesSent: 1,
      samplesPosted: 1,
      sampleToPostRate: 1,
      gmvPerSampleSentCents: 9000,
      costPerPostCents: 1200 + 600 + 300,
      contentTurnaroundMs: { count: 1, median: 8 * DAY },
    });
    const record = await api.call<{ history: Record<string, number> }>(
      'GET',
      `/api/creators/${ava.id}`,
      undefined,
      200,
    );
    expect(record.history).toMatchObject({ samplesReceived: 1, posted: 1, postedOnTime: 1, gmvCents: 9000 });
    const csv = await fetch(`${p.httpUrl}/api/samples.csv`, { headers: await p.authHeaders() }).then((r) => r.text());
    expect(csv.split('\r\n')[0]).toContain('id,creator,creatorId,sku');
    expect(csv).toContain(id);
  });

  it('refuses a duplicate send of the same SKU to the same creator', async () => {
    await api.creator('@dup');
    await api.product('DUP-1');
    expect((await api.request({ creator: '@dup', sku: 'DUP-1' })).decision.decision).toBe('approved');
    const again = await api.request({ creator: '@dup', sku: 'DUP-1', campaign: 'summer' });
    expect(again.decision).toMatchObject({ decision: 'rejected', rule: 'duplicate_send' });
    expect(again.sample.status).toBe('rejected');
  });

  it('refuses a restricted creator; an override is recorded and a named approver decides', async () => {
    await api.creator('@gone', { standing: 'restricted' });
    await api.product('RST-1');
    const refused = await api.request({ creator: '@gone', sku: 'RST-1' });
    expect(refused.decision).toMatchObject({ decision: 'rejected', rule: 'restricted_creator' });

    // The override is Mia's, as signed in; the body gives only the reason.
    const pending = await api.request({
      creator: '@gone',
      sku: 'RST-1',
      campaign: 'other',
      override: { reason: 'great audience fit' },
    });
    const override = { by: 'mia@test.local', reason: 'great audience fit' };
    expect(pending.decision).toMatchObject({ decision: 'needs_approver', rule: 'restricted_override', override });
    const approved = await api.event(pending.sample.id, { type: 'approve' }, 200, LEAD);
    expect(approved.transitions[0]).toMatchObject({ actor: { kind: 'user', id: 'lead-kim@test.local' } });
    expect(approved.transitions[0]?.data).toMatchObject({ rule: 'named_approver', override });
  });

  it('no post after the final reminder → no_post, creator on watch; a second miss within the window restricts', async () => {
    await api.product('NOPOST-1');
    await api.product('NOPOST-2');
    const t0 = Date.now();
    const { id, creatorId } = await deliveredSample('@silent', 'NOPOST-1', t0);
    await new FollowUpScheduler(p.db.pool).runOnce(new Date(t0 + 18 * DAY));
    expect((await sample(id)).status).toBe('no_post');
    const noPost = (await timeline(id)).find((t) => t.event === 'mark_no_post');
    expect(noPost).toMatchObject({ actor: { kind: 'scheduler' }, reason: 'no post after the final reminder' });
    expect(await creator(creatorId)).toMatchObject({ standing: 'watch' });

    // The second miss, recorded 18 days after the first (well inside 180): a pattern.
    const second = await api.request({ creator: '@silent', sku: 'NOPOST-2', campaign: 'later' });
    if (second.sample.status === 'requested') await api.event(second.sample.id, { type: 'approve' }, 200, LEAD);
    await api.event(second.sample.id, label('TRK-@silent-2'));
    await api.event(second.sample.id, dispatch);
    const t1 = t0 + 18 * DAY;
    await api.call(
      'POST',
      '/api/carrier-events',
      { trackingId: 'TRK-@silent-2', event: 'delivered', at: iso(t1) },
      200,
    );
    await new FollowUpScheduler(p.db.pool).runOnce(new Date(t1 + 18 * DAY));
    expect((await sample(second.sample.id)).status).toBe('no_post');
    expect(await creator(creatorId)).toMatchObject({ standing: 'restricted' });
    expect((await api.request({ creator: '@silent', sku: 'NOPOST-1', campaign: 'later' })).decision.rule).toBe(
      'restricted_creator',
    );
  });

  it('damaged → reship linked, with its own approval; the original closes once it is approved', async () => {
    await api.product('LAMP-1', { unitCostCents: 4500 });
    const { id } = await deliveredSample('@broken', 'LAMP-1', Date.now());
    await api.event(id, { type: 'report_damage', data: { note: 'glass shattered', suspectedCause: 'transit' } });
    const reship = await api.call<{ sample: Sample; decision: { rule: string } }>(
      'POST',
      `/api/samples/${id}/reship`,
      {},
      201,
      { person: 'ful-sam', role: 'fulfillment' },
    );
    expect(reship.decision.rule).toBe('reship');
    expect(reship.sample).toMatchObject({ status: 'requested', reshipOf: id, requestedBy: 'ful-sam@test.local' });
    expect((await sample(id)).status).toBe('damaged');

    const approved = await api.event(reship.sample.id, { type: 'approve' });
    expect(approved.transitions.map((t) => t.event)).toEqual(['approve', 'reship']);
    expect(await sample(id)).toMatchObject({ status: 'reshipped', reshippedAs: reship.sample.id });
  });

  it('the scheduler never fires twice: two schedulers at once, then a restart, with the same now', async () => {
    await api.product('TWICE-1');
    const t0 = Date.now();
    const { id } = await deliveredSample('@twice', 'TWICE-1', t0);
    const now = new Date(t0 + 18 * DAY);
    const runs = await Promise.all([
      new FollowUpScheduler(p.db.pool).runOnce(now),
      new FollowUpScheduler(p.db.pool).runOnce(now),
    ]);
    const restarted = await new FollowUpScheduler(p.db.pool).runOnce(now);
    const keys = [...runs, restarted].flatMap((r) => r.fired.filter((f) => f.sampleId === id).map((f) => f.key));
    expect(keys).toContain(`${id}:no_post:e0`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(restarted.fired.filter((f) => f.sampleId === id)).toEqual([]);

    const { rows } = await p.db.pool.query<{ key: string; n: number }>(
      'select idempotency_key as key, count(*)::int as n from outbox where sample_id = $1 group by 1',
      [id],
    );
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect((await timeline(id)).filter((t) => t.event === 'mark_no_post')).toHaveLength(1);
  });
});

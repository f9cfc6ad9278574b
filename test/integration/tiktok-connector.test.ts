import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startTikTokStandIn, type TikTokStandIn } from '../support/tiktok-stand-in.ts';
import { LEAD, programApi, type Transition } from './sample-program.support.ts';

/**
 * The TikTok Shop affiliate samples connector (issue 13) against a stand-in that plays
 * TikTok's documented API: applications become requests decided by our policy, decisions
 * go back once, TikTok's shipment and content become the label and the post, and a
 * rate limit or an expired token is visible on the connector.
 */

const CREDS = { appKey: '68xu9ks5p4i8', appSecret: 'e59af819cc', accessToken: 'TTP_first', shopCipher: 'ROW_shop1' };
const CONTENT_TIME = 1764547200; // 2025-12-01T00:00:00Z, seconds as TikTok gives create_time

let p: TestPlatform;
let tiktok: TikTokStandIn;
let api: ReturnType<typeof programApi>;

interface Connector {
  status: string;
  paused: boolean;
  pausedReason: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  backoffUntil: string | null;
  appSecretSet: boolean;
  accessTokenSet: boolean;
  counts: Record<string, number>;
}
interface Poll {
  outcome: string;
  error: string | null;
  [k: string]: unknown;
}

const application = (id: string, username: string, product: Record<string, unknown>, status = 'PENDING') => ({
  id,
  status,
  fulfillment_status: 'PENDING',
  creator: { user_id: `uid-${username}`, username, nickname: username, follower_count: 1200 },
  product: { id: `prod-${id}`, title: 'Sample product', ...product },
});

const poll = () => api.call<Poll>('POST', '/api/integrations/tiktok/poll', undefined, 200);
const connector = () => api.call<Connector>('GET', '/api/integrations/tiktok', undefined, 200);
const linkOf = async (applicationId: string) =>
  (
    await p.pool.query<{
      sampleId: string | null;
      views: number | null;
      paidOrders: number | null;
      error: string | null;
    }>(
      `select sample_id as "sampleId", views, paid_orders as "paidOrders", error from tiktok_sample_links
       where application_id = $1`,
      [applicationId],
    )
  ).rows[0];
const timeline = (id: string) =>
  api.call<{ status: string; transitions: Transition[] }>('GET', `/api/samples/${id}/timeline`, undefined, 200);
const totals = async () =>
  (
    await p.pool.query<{ samples: number; transitions: number }>(
      `select (select count(*)::int from samples) as samples, (select count(*)::int from sample_transitions) as transitions`,
    )
  ).rows[0]!;

beforeAll(async () => {
  tiktok = await startTikTokStandIn(CREDS);
  p = await startTestPlatform();
  api = programApi(p);
  await api.product('GLOW-30', { unitCostCents: 1200, inventoryOnHand: 20 });
  await api.product('LUX-1', { unitCostCents: 8000, inventoryOnHand: 5 });
  // Five applications, served two a page: three pages.
  tiktok.applications.push(
    application('7001', 'glowwithmia', { sku_id: '111' }),
    application('7002', 'luxlena', { sku_id: '222' }),
    application('7003', 'nomapnia', { sku_id: '999' }),
    application('7004', 'oldolga', { sku_id: '111' }, 'COMPLETED'),
    // The same creator and SKU as 7001: our duplicate rule refuses it.
    application('7005', 'glowwithmia', { sku_id: '111' }),
  );
}, 60_000);
afterAll(async () => {
  await p?.close();
  await tiktok?.close();
});

describe('TikTok Shop connector', () => {
  it('takes settings from an admin only, audited, and never answers the secrets', async () => {
    const ops = await p.api('/api/integrations/tiktok', { as: 'ops' });
    expect(ops.status).toBe(403);
    const early = await p.api<{ error: { code: string } }>('/api/integrations/tiktok', {
      method: 'PUT',
      json: { enabled: true },
    });
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('VALIDATION_FAILED');

    const saved = await api.call<Connector & Record<string, unknown>>(
      'PUT',
      '/api/integrations/tiktok',
      {
        ...CREDS,
        enabled: true,
        baseUrl: tiktok.url,
        skuMap: { '111': 'GLOW-30', '222': 'LUX-1' },
        writeBack: true,
        // The scheduled poller must not race the test's own polls.
        pollIntervalS: 86_400,
      },
      200,
    );
    expect(saved).toMatchObject({ appSecretSet: true, accessTokenSet: true, status: 'never_polled' });
    expect(JSON.stringify(saved)).not.toContain(CREDS.appSecret);
    expect(JSON.stringify(saved)).not.toContain(CREDS.accessToken);
    const audit = await api.call<{ entries: { action: string; detail: unknown }[] }>(
      'GET',
      '/api/audit?entity=integration:tiktok',
      undefined,
      200,
    );
    expect(audit.entries.map((e) => e.action)).toContain('integration.tiktok.update');
    expect(JSON.stringify(audit.entries)).not.toContain(CREDS.appSecret);
  });

  it('turns pending applications into requests our policy decides, over every page, and writes the decisions back', async () => {
    const result = await poll();
    expect(result).toMatchObject({
      outcome: 'ok',
      pages: 3,
      applications: 5,
      created: 3,
      unmapped: 1,
      ignored: 1,
      decisionsSent: 2,
    });
    expect(tiktok.refused).toBe(0);
    expect(tiktok.requests.filter((r) => r.path.endsWith('/search') && !r.path.includes('fulfillments'))).toEqual([
      { path: '/affiliate_seller/202409/sample_applications/search', pageToken: null },
      { path: '/affiliate_seller/202409/sample_applications/search', pageToken: 'page-2' },
      { path: '/affiliate_seller/202409/sample_applications/search', pageToken: 'page-4' },
    ]);

    const cheap = (await linkOf('7001'))!;
    const cheapSample = await api.call<Record<string, unknown>>(
      'GET',
      `/api/samples/${cheap.sampleId}`,
      undefined,
      200,
    );
    expect(cheapSample).toMatchObject({
      creator: 'glowwithmia',
      sku: 'GLOW-30',
      quantity: 1,
      campaign: 'tiktok-affiliate',
      source: 'tiktok_affiliate',
      status: 'approved',
    });
    const cheapLine = await timeline(cheap.sampleId!);
    expect(cheapLine.transitions.map((t) => [t.event, t.actor.kind])).toEqual([
      ['request', 'user'],
      ['approve', 'policy'],
    ]);

    // Over the auto-approval line: waits for a person.
    const lux = (await linkOf('7002'))!;
    expect((await timeline(lux.sampleId!)).status).toBe('requested');
    // Refused by our duplicate rule, through the same policy.
    const dup = (await linkOf('7005'))!;
    const dupLine = await timeline(dup.sampleId!);
    expect(dupLine.status).toBe('rejected');
    expect(dupLine.transitions.at(-1)).toMatchObject({ event: 'reject', actor: { kind: 'policy' } });
    expect(dupLine.transitions.at(-1)!.data.rule).toBe('duplicate_send');
    // No catalogue SKU for 999: no sample, the reason kept for the next poll.
    expect(await linkOf('7003')).toMatchObject({ sampleId: null, error: expect.stringContaining('sku 999') });
    expect(await linkOf('7004')).toBeUndefined();

    expect(tiktok.reviews).toEqual([
      { applicationId: '7001', body: { review_result: 'APPROVE' } },
      { applicationId: '7005', body: { review_result: 'REJECT', reject_reason: 'NOT_MATCH' } },
    ]);
    expect(await connector()).toMatchObject({ status: 'ok', counts: { samples: 3, unmapped: 1, decisionsSent: 2 } });
  });

  it('changes nothing on a second poll', async () => {
    const before = await totals();
    const again = await poll();
    expect(again).toMatchObject({ outcome: 'ok', created: 0, known: 3, decisionsSent: 0, posts: 0 });
    expect(await totals()).toEqual(before);
    expect(tiktok.reviews).toHaveLength(2);
  });

  it("writes a person's later approval back once", async () => {
    const lux = (await linkOf('7002'))!;
    await api.event(lux.sampleId!, { type: 'approve', reason: 'good fit for the launch' }, 200, LEAD);
    expect(await poll()).toMatchObject({ outcome: 'ok', decisionsSent: 1 });
    expect(await poll()).toMatchObject({ outcome: 'ok', decisionsSent: 0 });
    expect(tiktok.reviews.filter((r) => r.applicationId === '7002')).toEqual([
      { applicationId: '7002', body: { review_result: 'APPROVE' } },
    ]);
  });

  it("records TikTok's shipment as the label and its content as the post with views and paid orders", async () => {
    const app = tiktok.applications.find((a) => a.id === '7001')!;
    Object.assign(app, { status: 'SHIPPED', tracking_number: 'TT7001TRACK', order_id: '5760001' });
    const shipped = await poll();
    expect(shipped).toMatchObject({ outcome: 'ok', shipments: 1 });
    const { sampleId } = (await linkOf('7001'))!;
    const labelled = await api.call<Record<string, unknown>>('GET', `/api/samples/${sampleId}`, undefined, 200);
    expect(labelled).toMatchObject({ status: 'label_created', trackingId: 'TT7001TRACK', carrier: 'tiktok_shop' });

    await api.event(sampleId!, { type: 'deliver', data: { receivedAt: Date.now() - 3_600_000, evidence: 'courier' } });
    tiktok.content.set('7001', [
      {
        id: '7301112233',
        format: 'VIDEO',
        create_time: CONTENT_TIME,
        page_link: 'https://www.tiktok.com/@glowwithmia/video/7301112233',
        url: 'https://v16.tiktokcdn.example/7301112233.mp4',
        view_count: 15_230,
        like_count: 900,
        comment_count: 41,
        paid_order_count: 7,
      },
    ]);
    const posted = await poll();
    expect(posted).toMatchObject({ outcome: 'ok', posts: 1, contentUpdated: 1 });
    const sample = await api.call<Record<string, unknown>>('GET', `/api/samples/${sampleId}`, undefined, 200);
    expect(sample).toMatchObject({
      status: 'posted',
      postUrl: 'https://www.tiktok.com/@glowwithmia/video/7301112233',
      publishedAt: new Date(CONTENT_TIME * 1000).toISOString(),
    });
    const post = (await timeline(sampleId!)).transitions.find((t) => t.event === 'post')!;
    expect(post.actor).toEqual({ kind: 'scheduler', id: 'tiktok' });
    expect(post.data.metrics).toEqual({ source: 'tiktok_shop', views: 15_230, paidOrders: 7 });
    expect(await linkOf('7001')).toMatchObject({ views: 15_230, paidOrders: 7 });

    const before = await totals();
    expect(await poll()).toMatchObject({ outcome: 'ok', posts: 0, contentUpdated: 0, shipments: 0 });
    expect(await totals()).toEqual(before);
  });

  it('retries after a rate-limit answer, and backs off with a visible error when it persists', async () => {
    tiktok.rateLimitNext(1);
    expect(await poll()).toMatchObject({ outcome: 'ok', rateLimited: 1 });

    tiktok.rateLimitNext(10);
    const limited = await poll();
    expect(limited.outcome).toBe('rate_limited');
    const c = await connector();
    expect(c).toMatchObject({ status: 'failing', lastError: expect.stringContaining('rate limited by TikTok') });
    expect(new Date(c.backoffUntil!).getTime()).toBeGreaterThan(Date.now());
    // A scheduled poll waits out the back-off; an admin's "poll now" does not.
    expect(await p.services.tiktok.poll()).toMatchObject({ outcome: 'skipped' });
    tiktok.rateLimitNext(0);
    expect(await poll()).toMatchObject({ outcome: 'ok' });
    expect(await connector()).toMatchObject({ status: 'ok', backoffUntil: null });
  }, 30_000);

  it('pauses on an expired access token with a clear error, until someone reconnects', async () => {
    tiktok.expireToken();
    const expired = await poll();
    expect(expired).toMatchObject({
      outcome: 'token_expired',
      error: expect.stringContaining('access token expired: reconnect'),
    });
    const c = await connector();
    expect(c).toMatchObject({ status: 'paused', paused: true, pausedReason: 'token_expired' });
    expect(c.lastError).toContain('access token expired: reconnect');
    expect(c.lastErrorAt).not.toBeNull();

    const refused = await p.api<{ error: { code: string } }>('/api/integrations/tiktok/poll', { method: 'POST' });
    expect(refused.status).toBe(409);

    tiktok.reconnect('TTP_second');
    const back = await api.call<Connector>('PUT', '/api/integrations/tiktok', { accessToken: 'TTP_second' }, 200);
    expect(back).toMatchObject({ paused: false, lastError: null });
    expect(await poll()).toMatchObject({ outcome: 'ok', created: 0 });
  });

  it('is paused and resumed by an admin', async () => {
    expect(await api.call<Connector>('POST', '/api/integrations/tiktok/pause', undefined, 200)).toMatchObject({
      status: 'paused',
      pausedReason: 'admin',
    });
    expect(await p.services.tiktok.poll()).toMatchObject({ outcome: 'skipped' });
    expect(await api.call<Connector>('POST', '/api/integrations/tiktok/resume', undefined, 200)).toMatchObject({
      paused: false,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { classify, FulfillmentContent, SampleApplication } from './api.ts';
import { amountToCents, reviewFor, toPost, toSampleRequest } from './mapping.ts';

const config = { defaultCampaign: 'tiktok-affiliate', skuMap: { '1729587969': 'GLOW-30' } };
const app = (over: Record<string, unknown> = {}) =>
  SampleApplication.parse({
    id: '7345',
    status: 'PENDING',
    creator: { user_id: '6502', username: 'glowwithmia', nickname: 'Mia' },
    product: { id: '1729', sku_id: '1729587969', title: 'Glow serum' },
    ...over,
  });
const content = (over: Record<string, unknown>) =>
  FulfillmentContent.parse({ id: 'v1', format: 'VIDEO', create_time: 1764000000, view_count: 0, ...over });

describe('TikTok application → sample request', () => {
  it('names the creator by username, the SKU through the map, one unit, the default campaign', () => {
    expect(toSampleRequest(app(), config)).toEqual({
      ok: true,
      request: {
        creator: 'glowwithmia',
        creatorOpenId: '6502',
        sku: 'GLOW-30',
        quantity: 1,
        campaign: 'tiktok-affiliate',
        source: 'tiktok_affiliate',
      },
    });
  });
  it("prefers the seller's own SKU code when TikTok gives one", () => {
    const r = toSampleRequest(app({ product: { id: '1', sku_id: '2', seller_sku: 'OWN-1' } }), config);
    expect(r).toMatchObject({ ok: true, request: { sku: 'OWN-1' } });
  });
  it('refuses an application whose SKU is unmapped or whose creator has no username', () => {
    expect(toSampleRequest(app({ product: { id: '9', sku_id: '99' } }), config)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('sku 99'),
    });
    expect(toSampleRequest(app({ creator: { user_id: '1' } }), config)).toMatchObject({ ok: false });
  });
});

describe('TikTok fulfillment content → post', () => {
  it('posts the first published content with its figures summed over all content', () => {
    const post = toPost([
      content({
        id: 'v2',
        create_time: 1764100000,
        url: 'https://v.tiktok/2',
        view_count: 50,
        paid_order_count: 1,
      }),
      content({
        id: 'v1',
        create_time: 1764000000,
        page_link: 'https://www.tiktok.com/@glowwithmia/video/1',
        view_count: 1200,
        paid_order_count: 4,
        gmv: { amount: '59.80', currency: 'USD' },
      }),
    ]);
    expect(post).toEqual({
      postUrl: 'https://www.tiktok.com/@glowwithmia/video/1',
      publishedAt: 1764000000_000,
      otherUrls: ['https://v.tiktok/2'],
      metrics: { views: 1250, paidOrders: 5, gmvCents: 5980, contentIds: ['v1', 'v2'] },
    });
  });
  it('has no post without content that has a URL and a time', () => {
    expect(toPost([])).toBeUndefined();
    expect(toPost([content({ url: 'not a url' })])).toBeUndefined();
  });
  it('reads decimal amounts exactly', () => {
    expect(amountToCents('12.3')).toBe(1230);
    expect(amountToCents('0.07')).toBe(7);
    expect(amountToCents('abc')).toBeUndefined();
  });
});

describe('our decision → TikTok review', () => {
  it('approves an approved sample, rejects a rejected one, waits while it waits', () => {
    expect(reviewFor({ status: 'label_created', approvedAt: new Date(), policyRule: 'auto' })).toEqual({
      review_result: 'APPROVE',
    });
    expect(reviewFor({ status: 'rejected', approvedAt: null, policyRule: 'out_of_stock' })).toEqual({
      review_result: 'REJECT',
      reject_reason: 'OUT_OF_STOCK',
    });
    expect(reviewFor({ status: 'rejected', approvedAt: null, policyRule: 'restricted_creator' })).toMatchObject({
      reject_reason: 'NOT_MATCH',
    });
    expect(reviewFor({ status: 'requested', approvedAt: null, policyRule: 'expensive_sku' })).toBeUndefined();
  });
});

describe('TikTok answers', () => {
  it('reads success, the expired-token code, 429 and other errors', () => {
    expect(classify(200, '{"code":0,"message":"Success","data":{"x":1}}')).toEqual({ kind: 'ok', data: { x: 1 } });
    expect(classify(200, '{"code":105002,"message":"access token is expired, please refresh it"}')).toMatchObject({
      kind: 'token_expired',
    });
    expect(classify(429, '')).toMatchObject({ kind: 'rate_limited' });
    expect(classify(401, '{"code":106001,"message":"Invalid credentials."}')).toMatchObject({
      kind: 'error',
      code: 106001,
    });
    expect(classify(502, '<html>')).toMatchObject({ kind: 'error', code: null, httpStatus: 502 });
  });
});

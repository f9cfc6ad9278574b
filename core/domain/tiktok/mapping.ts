import type { FulfillmentContent, ReviewBody, SampleApplication } from './api.ts';

/**
 * TikTok's sample applications and their fulfillment content, in our terms. Pure: the
 * service decides what to do with the result (request a sample, apply a post).
 */

export const TIKTOK_SOURCE = 'tiktok_affiliate' as const;
/** The application waits for the seller's review; only then may a decision be written back. */
export const TIKTOK_PENDING = 'PENDING';

export interface MappingConfig {
  defaultCampaign: string;
  /** TikTok sku_id (or product id) → our catalogue SKU, for shops whose SKU codes differ. */
  skuMap: Record<string, string>;
}

export interface MappedRequest {
  creator: string;
  /** TikTok's user id of the creator (kept on the link; our creators are keyed by handle). */
  creatorOpenId: string | null;
  sku: string;
  quantity: number;
  campaign: string;
  source: typeof TIKTOK_SOURCE;
}

export type MapResult = { ok: true; request: MappedRequest } | { ok: false; reason: string };

// Our handles are TikTok usernames without the @ (creator.repository: case-insensitive).
const HANDLE = /^[A-Za-z0-9._]{1,64}$/;

export function toSampleRequest(app: SampleApplication, config: MappingConfig): MapResult {
  const handle = app.creator.username?.replace(/^@/, '').trim();
  if (!handle || !HANDLE.test(handle)) return { ok: false, reason: 'the application names no usable creator username' };
  const p = app.product;
  const sku =
    p.seller_sku?.trim() ||
    (p.sku_id ? config.skuMap[p.sku_id] : undefined) ||
    (p.id ? config.skuMap[p.id] : undefined);
  if (!sku) {
    return {
      ok: false,
      reason: `no catalogue SKU for TikTok sku ${p.sku_id ?? '?'} (product ${p.id ?? '?'}): add it to the SKU map`,
    };
  }
  return {
    ok: true,
    request: {
      creator: handle,
      creatorOpenId: app.creator.user_id ?? null,
      sku,
      // A free-sample application is for one unit of one SKU.
      quantity: 1,
      campaign: config.defaultCampaign,
      source: TIKTOK_SOURCE,
    },
  };
}

export interface ContentFigures {
  id: string;
  url: string | null;
  createdAt: number | null;
  views: number;
  paidOrders: number;
  likes: number;
  comments: number;
  gmvCents?: number;
}

export interface MappedPost {
  postUrl: string;
  publishedAt: number;
  otherUrls?: string[];
  metrics: { views: number; paidOrders: number; gmvCents?: number; contentIds: string[] };
}

const isHttp = (u: string | undefined): u is string => !!u && /^https?:\/\//i.test(u);

/** Minor units from TikTok's decimal string ("12.34"); undefined when unreadable. */
export function amountToCents(amount: string): number | undefined {
  if (!/^\d+(\.\d{1,2})?$/.test(amount.trim())) return undefined;
  const [whole, frac = ''] = amount.trim().split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function contentFigures(c: FulfillmentContent): ContentFigures {
  const url = isHttp(c.page_link) ? c.page_link : isHttp(c.url) ? c.url : null;
  const gmvCents = c.gmv ? amountToCents(c.gmv.amount) : undefined;
  return {
    id: c.id,
    url,
    createdAt: c.create_time !== undefined ? c.create_time * 1000 : null,
    views: c.view_count ?? 0,
    paidOrders: c.paid_order_count ?? 0,
    likes: c.like_count ?? 0,
    comments: c.comment_count ?? 0,
    ...(gmvCents !== undefined ? { gmvCents } : {}),
  };
}

/**
 * The post the content makes: the first content published (by create_time) is the post,
 * later ones its further deliverables; the figures are summed over all of it. None with a
 * URL and a time: no post yet.
 */
export function toPost(contents: FulfillmentContent[]): MappedPost | undefined {
  const figures = contents.map(contentFigures);
  const postable = figures
    .filter((f): f is ContentFigures & { url: string; createdAt: number } => f.url !== null && f.createdAt !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const first = postable[0];
  if (!first) return undefined;
  const others = postable.slice(1, 11).map((f) => f.url);
  const gmvs = figures.filter((f) => f.gmvCents !== undefined);
  return {
    postUrl: first.url,
    publishedAt: first.createdAt,
    ...(others.length ? { otherUrls: others } : {}),
    metrics: {
      views: figures.reduce((n, f) => n + f.views, 0),
      paidOrders: figures.reduce((n, f) => n + f.paidOrders, 0),
      ...(gmvs.length ? { gmvCents: gmvs.reduce((n, f) => n + f.gmvCents!, 0) } : {}),
      contentIds: figures.map((f) => f.id).sort(),
    },
  };
}

/**
 * Our decision on the request, as TikTok's review body: approved once the sample was
 * approved (by rule or by a person), rejected when it was rejected; undefined while it
 * waits for an approver. An out-of-stock refusal says so; other refusals are NOT_MATCH
 * (the creator does not meet our requirements).
 */
export function reviewFor(sample: {
  status: string;
  approvedAt: Date | null;
  policyRule: string | null;
}): ReviewBody | undefined {
  if (sample.status === 'rejected') {
    return {
      review_result: 'REJECT',
      reject_reason: sample.policyRule === 'out_of_stock' ? 'OUT_OF_STOCK' : 'NOT_MATCH',
    };
  }
  if (sample.approvedAt) return { review_result: 'APPROVE' };
  return undefined;
}

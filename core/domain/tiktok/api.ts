import { z } from 'zod';

/**
 * The Affiliate Seller API as documented (partner.tiktokshop.com, API version 202409; the
 * shapes are those of TikTok's generated Node SDK, affiliateSellerV202409Api.ts and its
 * models). Only the fields we read are declared; the rest pass through unread.
 */
export const TIKTOK_DEFAULT_BASE_URL = 'https://open-api.tiktokglobalshop.com';
export const TIKTOK_API_VERSION = '202409';

export const TIKTOK_PATHS = {
  searchApplications: `/affiliate_seller/${TIKTOK_API_VERSION}/sample_applications/search`,
  fulfillments: (applicationId: string) =>
    `/affiliate_seller/${TIKTOK_API_VERSION}/sample_applications/${encodeURIComponent(applicationId)}/fulfillments/search`,
  review: (applicationId: string) =>
    `/affiliate_seller/${TIKTOK_API_VERSION}/sample_applications/${encodeURIComponent(applicationId)}/review`,
} as const;

/** page_size must be in (0, 50] (SampleApplicationsSearchPost). */
export const TIKTOK_MAX_PAGE_SIZE = 50;

/** Every answer: `code` 0 is success, whatever the HTTP status says. */
export const Envelope = z.object({
  code: z.number(),
  message: z.string().optional().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});
export type Envelope = z.infer<typeof Envelope>;

/** Codes we act on. 105002: "access token is expired, please refresh it". 106001: bad sign. */
export const TIKTOK_CODES = { ok: 0, accessTokenExpired: 105002, invalidSign: 106001 } as const;

const idString = z.union([z.string(), z.number()]).transform(String);

export const SampleApplication = z.object({
  id: idString,
  status: z.string().default(''),
  fulfillment_status: z.string().optional(),
  order_id: z.string().optional(),
  tracking_number: z.string().optional(),
  creator: z
    .object({
      user_id: idString.optional(),
      username: z.string().optional(),
      nickname: z.string().optional(),
    })
    .default({}),
  product: z
    .object({
      id: idString.optional(),
      sku_id: idString.optional(),
      /** The seller's own SKU code; not in the 202409 model, read when present. */
      seller_sku: z.string().optional(),
      sku_name: z.string().optional(),
      title: z.string().optional(),
    })
    .default({}),
});
export type SampleApplication = z.infer<typeof SampleApplication>;

export const SearchApplicationsData = z.object({
  sample_applications: z.array(SampleApplication).default([]),
  /** Empty on the last page. */
  next_page_token: z.string().default(''),
  total_count: z.number().optional(),
});

export const FulfillmentContent = z.object({
  id: idString,
  format: z.string().optional(),
  /** Seconds: when the video went public with the product, or the product joined the LIVE. */
  create_time: z.number().optional(),
  url: z.string().optional(),
  page_link: z.string().optional(),
  view_count: z.number().optional(),
  like_count: z.number().optional(),
  comment_count: z.number().optional(),
  paid_order_count: z.number().optional(),
  description: z.string().optional(),
  /** Not in the 202409 model; read if TikTok adds it ({amount, currency}, like creator.gmv). */
  gmv: z.object({ amount: z.string(), currency: z.string().optional() }).optional(),
});
export type FulfillmentContent = z.infer<typeof FulfillmentContent>;

export const FulfillmentsData = z.object({
  fulfillments: z
    .array(
      z.object({ content: FulfillmentContent.optional(), product: z.object({ id: idString }).partial().optional() }),
    )
    .default([]),
});

/** SellerReviewSampleApplicationsRequestBody. */
export interface ReviewBody {
  review_result: 'APPROVE' | 'REJECT';
  /** Required with REJECT. */
  reject_reason?: 'NOT_MATCH' | 'OFFLINE' | 'OUT_OF_STOCK' | 'OTHER';
}

/** What an answer means for the poll. */
export type Outcome =
  | { kind: 'ok'; data: unknown }
  | { kind: 'rate_limited'; message: string }
  | { kind: 'token_expired'; message: string }
  | { kind: 'error'; code: number | null; httpStatus: number; message: string };

/**
 * Reads one answer. TikTok answers business errors with a non-zero `code` in a JSON body;
 * too many requests is HTTP 429 (whatever the body says).
 */
export function classify(httpStatus: number, rawBody: string): Outcome {
  if (httpStatus === 429) return { kind: 'rate_limited', message: 'TikTok answered 429 Too Many Requests' };
  let parsed: Envelope | undefined;
  try {
    const r = Envelope.safeParse(JSON.parse(rawBody));
    if (r.success) parsed = r.data;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    return { kind: 'error', code: null, httpStatus, message: `unreadable answer (HTTP ${httpStatus})` };
  }
  if (parsed.code === TIKTOK_CODES.accessTokenExpired) return { kind: 'token_expired', message: parsed.message };
  if (parsed.code === TIKTOK_CODES.ok && httpStatus < 400) return { kind: 'ok', data: parsed.data };
  return { kind: 'error', code: parsed.code, httpStatus, message: parsed.message || `HTTP ${httpStatus}` };
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySign } from '../../core/domain/tiktok/sign.ts';

/**
 * TikTok Shop's side of the Affiliate Seller API (202409), played on a random local port
 * from the documented request and response shapes. It checks every request as TikTok
 * does: app key, timestamp, the HMAC signature over path + sorted params + body, and the
 * access token header. Tests script it: applications served a few per page, content per
 * application, one 429 on demand, the expired-token answer on demand; review calls are
 * recorded.
 */
export interface StandInCredentials {
  appKey: string;
  appSecret: string;
  accessToken: string;
  shopCipher: string;
}

export interface ReviewCall {
  applicationId: string;
  body: { review_result?: string; reject_reason?: string };
}

export interface TikTokStandIn {
  url: string;
  /** Raw sample applications, as TikTok answers them (snake_case). */
  applications: Record<string, unknown>[];
  /** application id → fulfillment content objects. */
  content: Map<string, Record<string, unknown>[]>;
  reviews: ReviewCall[];
  /** Every request that passed the checks: path and page token. */
  requests: { path: string; pageToken: string | null }[];
  /** Requests refused for a bad signature, key or token. */
  refused: number;
  /** Applications served per page (TikTok's page_size is capped at 50; small here to force pages). */
  pageSize: number;
  /** The next N requests answer 429 (0 stops that). */
  rateLimitNext(n?: number): void;
  /** From now on, every request answers TikTok's expired-token error. */
  expireToken(): void;
  /** The seller re-authorised: a new access token is accepted, the expired one no longer. */
  reconnect(accessToken: string): void;
  close(): Promise<void>;
}

const SEARCH = /^\/affiliate_seller\/202409\/sample_applications\/search$/;
const FULFILLMENTS = /^\/affiliate_seller\/202409\/sample_applications\/([^/]+)\/fulfillments\/search$/;
const REVIEW = /^\/affiliate_seller\/202409\/sample_applications\/([^/]+)\/review$/;

let requestCounter = 0;
const requestId = () => `2026120200000${(++requestCounter).toString().padStart(6, '0')}STANDIN`;

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ request_id: requestId(), ...body }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTikTokStandIn(creds: StandInCredentials): Promise<TikTokStandIn> {
  let rateLimited = 0;
  let expired = false;
  let token = creds.accessToken;
  const state: Omit<TikTokStandIn, 'url' | 'close'> = {
    applications: [],
    content: new Map(),
    reviews: [],
    requests: [],
    refused: 0,
    pageSize: 2,
    rateLimitNext: (n = 1) => {
      rateLimited = n;
    },
    expireToken: () => {
      expired = true;
    },
    reconnect: (accessToken: string) => {
      expired = false;
      token = accessToken;
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = await readBody(req);
      const query = Object.fromEntries(url.searchParams);
      const signed = typeof query.sign === 'string' && query.sign;
      const signatureOk =
        signed &&
        verifySign({ appSecret: creds.appSecret, path: url.pathname, query, body }, signed) &&
        query.app_key === creds.appKey &&
        /^\d{10}$/.test(query.timestamp ?? '');
      if (req.method !== 'POST' || !signatureOk) {
        state.refused++;
        return answer(res, 401, {
          code: 106001,
          message: "Invalid credentials. The 'sign' query parameter is invalid.",
        });
      }
      if (expired) {
        state.refused++;
        return answer(res, 401, { code: 105002, message: 'access token is expired, please refresh it' });
      }
      if (req.headers['x-tts-access-token'] !== token || query.shop_cipher !== creds.shopCipher) {
        state.refused++;
        // Any other refusal of the token; the connector acts on 105002 only.
        return answer(res, 401, { code: 105001, message: 'access token is invalid' });
      }
      if (rateLimited > 0) {
        rateLimited--;
        return answer(res, 429, { code: 429, message: 'Too many requests' });
      }
      state.requests.push({ path: url.pathname, pageToken: query.page_token ?? null });

      if (SEARCH.test(url.pathname)) {
        const size = Math.min(Number(query.page_size) || 20, state.pageSize);
        const start = query.page_token ? Number(query.page_token.replace(/^page-/, '')) : 0;
        const page = state.applications.slice(start, start + size);
        const next = start + size < state.applications.length ? `page-${start + size}` : '';
        return answer(res, 200, {
          code: 0,
          message: 'Success',
          data: { sample_applications: page, next_page_token: next, total_count: state.applications.length },
        });
      }
      const fulfillment = FULFILLMENTS.exec(url.pathname);
      if (fulfillment) {
        const contents = state.content.get(decodeURIComponent(fulfillment[1]!)) ?? [];
        return answer(res, 200, {
          code: 0,
          message: 'Success',
          data: { fulfillments: contents.map((content) => ({ content, product: { id: 'P-1' } })) },
        });
      }
      const review = REVIEW.exec(url.pathname);
      if (review) {
        const id = decodeURIComponent(review[1]!);
        const parsed = JSON.parse(body || '{}') as ReviewCall['body'];
        state.reviews.push({ applicationId: id, body: parsed });
        const app = state.applications.find((a) => a.id === id);
        if (app) app.status = parsed.review_result === 'APPROVE' ? 'AWAITING_SHIPMENT' : 'REJECT_CANCELLED';
        return answer(res, 200, { code: 0, message: 'Success', data: {} });
      }
      return answer(res, 404, { code: 40006, message: 'Invalid path' });
    })().catch((err: Error) => answer(res, 500, { code: 1, message: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

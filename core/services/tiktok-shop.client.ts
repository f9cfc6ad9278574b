import {
  classify,
  FulfillmentsData,
  SearchApplicationsData,
  TIKTOK_MAX_PAGE_SIZE,
  TIKTOK_PATHS,
  type FulfillmentContent,
  type Outcome,
  type ReviewBody,
  type SampleApplication,
} from '../domain/tiktok/api.ts';
import { sign } from '../domain/tiktok/sign.ts';

export interface TikTokCredentials {
  baseUrl: string;
  appKey: string;
  appSecret: string;
  accessToken: string;
  shopCipher: string;
}

export interface RetryPolicy {
  /** Retries of a rate-limited call before the poll gives up (and backs off until the next). */
  retries: number;
  /** First wait; doubles each retry. */
  baseMs: number;
}

/** A call TikTok refused, as the poll acts on it. */
export class TikTokCallError extends Error {
  constructor(
    readonly outcome: Exclude<Outcome, { kind: 'ok' }>,
    readonly path: string,
  ) {
    super(outcome.message);
    this.name = 'TikTokCallError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Affiliate Seller calls the connector makes, signed (core/domain/tiktok/sign.ts) with
 * the app key and a timestamp in the query and the access token in `x-tts-access-token`,
 * as the 202309+ APIs take it. A 429 is retried with a doubling wait; `rateLimited` counts them.
 */
export class TikTokShopClient {
  rateLimited = 0;
  calls = 0;

  constructor(
    private readonly creds: TikTokCredentials,
    private readonly retry: RetryPolicy,
    private readonly now: () => Date,
  ) {}

  /** Every page of the seller's sample applications (page_token → next_page_token until empty). */
  async searchApplications(): Promise<{ applications: SampleApplication[]; pages: number }> {
    const applications: SampleApplication[] = [];
    let pageToken = '';
    let pages = 0;
    // A token seen twice would loop forever; TikTok's last page answers an empty one.
    const seen = new Set<string>();
    do {
      const data = SearchApplicationsData.parse(
        await this.call(
          TIKTOK_PATHS.searchApplications,
          { page_size: TIKTOK_MAX_PAGE_SIZE, ...(pageToken ? { page_token: pageToken } : {}) },
          {},
        ),
      );
      pages++;
      applications.push(...data.sample_applications);
      seen.add(pageToken);
      pageToken = data.next_page_token;
    } while (pageToken && !seen.has(pageToken));
    return { applications, pages };
  }

  async fulfillments(applicationId: string): Promise<FulfillmentContent[]> {
    const data = FulfillmentsData.parse(await this.call(TIKTOK_PATHS.fulfillments(applicationId), {}, {}));
    return data.fulfillments.flatMap((f) => (f.content ? [f.content] : []));
  }

  async review(applicationId: string, body: ReviewBody): Promise<void> {
    await this.call(TIKTOK_PATHS.review(applicationId), {}, body);
  }

  private async call(path: string, params: Record<string, string | number>, body: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(path, params, body);
      if (outcome.kind === 'ok') return outcome.data ?? {};
      if (outcome.kind === 'rate_limited') {
        this.rateLimited++;
        if (attempt < this.retry.retries) {
          await sleep(this.retry.baseMs * 2 ** attempt);
          continue;
        }
      }
      throw new TikTokCallError(outcome, path);
    }
  }

  private async once(path: string, params: Record<string, string | number>, body: unknown): Promise<Outcome> {
    const query: Record<string, string | number> = {
      app_key: this.creds.appKey,
      timestamp: Math.floor(this.now().getTime() / 1000),
      shop_cipher: this.creds.shopCipher,
      ...params,
    };
    const raw = JSON.stringify(body);
    query.sign = sign({ appSecret: this.creds.appSecret, path, query, body: raw });
    const url = new URL(path, this.creds.baseUrl);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    this.calls++;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tts-access-token': this.creds.accessToken },
        body: raw,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return { kind: 'error', code: null, httpStatus: 0, message: `TikTok unreachable: ${(err as Error).message}` };
    }
    return classify(res.status, await res.text());
  }
}

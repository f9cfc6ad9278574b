import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { DomainError } from '../domain/errors.ts';
import type { Actor } from '../domain/sample/sample-state.ts';
import { TIKTOK_CODES, type SampleApplication } from '../domain/tiktok/api.ts';
import { contentFigures, reviewFor, TIKTOK_PENDING, toPost, toSampleRequest } from '../domain/tiktok/mapping.ts';
import { connectorStatus, type TikTokSettingsInput, type TikTokStatus } from '../domain/tiktok/settings.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import {
  TikTokConnectorRepository,
  type TikTokConnectorRow,
  type TikTokSettings,
} from '../storage/repositories/tiktok-connector.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';
import type { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { TikTokCallError, TikTokShopClient, type RetryPolicy } from './tiktok-shop.client.ts';

/** The platform part the connector acts as: audit rows read `system:tiktok`. */
export const TIKTOK_BY = systemActor('tiktok');
/** On transitions: the platform's scheduled job for TikTok (the `post` event allows `scheduler`). */
const TIKTOK_ACTOR: Actor = { kind: 'scheduler', id: 'tiktok' };
/** Who a TikTok sample request is from, as the record's requester (never an approver). */
export const TIKTOK_REQUESTER = 'tiktok-affiliate';
export const TOKEN_EXPIRED_ERROR = 'access token expired: reconnect';
// Statuses in which content is awaited or a post's figures still move.
const CONTENT_STATUSES = new Set(['delivered', 'content_due', 'no_post', 'posted']);

export interface TikTokView {
  enabled: boolean;
  appKey: string | null;
  appSecretSet: boolean;
  accessTokenSet: boolean;
  shopCipher: string | null;
  baseUrl: string;
  defaultCampaign: string;
  skuMap: Record<string, string>;
  writeBack: boolean;
  pollIntervalS: number;
  status: TikTokStatus;
  paused: boolean;
  pausedReason: string | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  backoffUntil: Date | null;
  lastPoll: Record<string, unknown> | null;
  counts: { applications: number; samples: number; unmapped: number; posted: number; decisionsSent: number };
  updatedAt: Date;
  updatedBy: string | null;
}

export interface PollResult {
  outcome: 'ok' | 'rate_limited' | 'token_expired' | 'error' | 'skipped';
  error: string | null;
  pages: number;
  applications: number;
  created: number;
  known: number;
  ignored: number;
  unmapped: number;
  shipments: number;
  posts: number;
  contentUpdated: number;
  decisionsSent: number;
  rateLimited: number;
}

const emptyResult = (): PollResult => ({
  outcome: 'ok',
  error: null,
  pages: 0,
  applications: 0,
  created: 0,
  known: 0,
  ignored: 0,
  unmapped: 0,
  shipments: 0,
  posts: 0,
  contentUpdated: 0,
  decisionsSent: 0,
  rateLimited: 0,
});

const configured = (c: TikTokConnectorRow) => !!(c.appKey && c.appSecret && c.accessToken && c.shopCipher);

/**
 * The TikTok Shop affiliate samples connector (issue 13). A poll reads every page of the
 * seller's sample applications; each pending one becomes a sample request through the
 * lifecycle's own `request` (so the approval policy decides it), claimed by TikTok's
 * application id in the same transaction, so a second poll creates nothing. For known
 * applications it writes our decision back (once), records TikTok's shipment as the label,
 * and turns fulfillment content into the `post` with its views and paid orders. Every poll
 * leaves its result on the connector row: last success, or last error (an expired token
 * pauses the connector until someone reconnects).
 */
export class TikTokConnectorService {
  private readonly pool: Pool;
  private readonly now: () => Date;
  private readonly lifecycle: SampleLifecycleService;
  private readonly retry: RetryPolicy;
  private polling = false;

  constructor(deps: ServiceDeps & { lifecycle: SampleLifecycleService; retry?: RetryPolicy }) {
    this.pool = deps.pool;
    this.now = deps.now ?? wallClock;
    this.lifecycle = deps.lifecycle;
    this.retry = deps.retry ?? { retries: 3, baseMs: 1000 };
  }

  async view(): Promise<TikTokView> {
    const repo = new TikTokConnectorRepository(this.pool);
    const c = await repo.get();
    return {
      enabled: c.enabled,
      appKey: c.appKey,
      appSecretSet: !!c.appSecret,
      accessTokenSet: !!c.accessToken,
      shopCipher: c.shopCipher,
      baseUrl: c.baseUrl,
      defaultCampaign: c.defaultCampaign,
      skuMap: c.skuMap,
      writeBack: c.writeBack,
      pollIntervalS: c.pollIntervalS,
      status: connectorStatus({ ...c, configured: configured(c) }),
      paused: c.paused,
      pausedReason: c.pausedReason,
      lastSuccessAt: c.lastSuccessAt,
      lastError: c.lastError,
      lastErrorAt: c.lastErrorAt,
      backoffUntil: c.cursor.backoffUntil ? new Date(c.cursor.backoffUntil) : null,
      lastPoll: c.cursor.lastPoll ?? null,
      counts: await repo.counts(),
      updatedAt: c.updatedAt,
      updatedBy: c.updatedBy,
    };
  }

  /** An admin's change of the settings, audited; a new access token lifts a pause for an expired one. */
  async update(input: TikTokSettingsInput, by: AuditActor): Promise<TikTokView> {
    await withTransaction(this.pool, async (tx) => {
      const repo = new TikTokConnectorRepository(tx);
      const c = await repo.get({ forUpdate: true });
      const next: TikTokSettings = {
        enabled: input.enabled ?? c.enabled,
        appKey: input.appKey !== undefined ? input.appKey : c.appKey,
        appSecret: input.appSecret !== undefined ? input.appSecret : c.appSecret,
        accessToken: input.accessToken !== undefined ? input.accessToken : c.accessToken,
        shopCipher: input.shopCipher !== undefined ? input.shopCipher : c.shopCipher,
        baseUrl: input.baseUrl ?? c.baseUrl,
        defaultCampaign: input.defaultCampaign ?? c.defaultCampaign,
        skuMap: input.skuMap ?? c.skuMap,
        writeBack: input.writeBack ?? c.writeBack,
        pollIntervalS: input.pollIntervalS ?? c.pollIntervalS,
      };
      if (next.enabled && !(next.appKey && next.appSecret && next.accessToken && next.shopCipher)) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'set the app key, app secret, access token and shop cipher before enabling the connector',
          { missing: (['appKey', 'appSecret', 'accessToken', 'shopCipher'] as const).filter((k) => !next[k]) },
        );
      }
      const at = this.now();
      await repo.saveSettings(next, by.actor, at);
      const reconnected = typeof input.accessToken === 'string' && c.paused && c.pausedReason === 'token_expired';
      if (reconnected) {
        await repo.setPaused(false, null, at, by.actor);
        await repo.clearError();
      }
      // Secrets are named as changed, never written into the audit log.
      const changed = (Object.keys(input) as (keyof TikTokSettingsInput)[]).filter(
        (k) => JSON.stringify(input[k]) !== JSON.stringify(c[k as keyof TikTokConnectorRow]),
      );
      await new AuditRepository(tx).record(by, {
        action: 'integration.tiktok.update',
        entityType: 'integration',
        entityId: 'tiktok',
        detail: {
          changed,
          after: {
            enabled: next.enabled,
            appKey: next.appKey,
            shopCipher: next.shopCipher,
            baseUrl: next.baseUrl,
            defaultCampaign: next.defaultCampaign,
            skuMap: next.skuMap,
            writeBack: next.writeBack,
            pollIntervalS: next.pollIntervalS,
            appSecretSet: !!next.appSecret,
            accessTokenSet: !!next.accessToken,
          },
          ...(reconnected ? { resumed: 'new access token' } : {}),
        },
      });
    });
    return this.view();
  }

  async setPaused(paused: boolean, by: AuditActor): Promise<TikTokView> {
    await withTransaction(this.pool, async (tx) => {
      const repo = new TikTokConnectorRepository(tx);
      const c = await repo.get({ forUpdate: true });
      await repo.setPaused(paused, paused ? 'admin' : null, this.now(), by.actor);
      await new AuditRepository(tx).record(by, {
        action: paused ? 'integration.tiktok.pause' : 'integration.tiktok.resume',
        entityType: 'integration',
        entityId: 'tiktok',
        detail: { before: { paused: c.paused, pausedReason: c.pausedReason } },
      });
    });
    return this.view();
  }

  /**
   * One poll. `manual` (an admin's "poll now") runs while disabled and during a back-off,
   * but never while paused: a paused connector is resumed first.
   */
  async poll(opts: { manual?: boolean } = {}): Promise<PollResult> {
    const repo = new TikTokConnectorRepository(this.pool);
    const c = await repo.get();
    const skipped = { ...emptyResult(), outcome: 'skipped' as const };
    if (c.paused) {
      if (!opts.manual) return skipped;
      throw new DomainError(
        'CONFLICT',
        `the TikTok connector is paused (${c.pausedReason ?? 'admin'}): resume it first`,
        {
          reason: 'paused',
        },
      );
    }
    if (!configured(c)) {
      if (!opts.manual) return skipped;
      throw new DomainError('CONFLICT', 'the TikTok connector has no credentials yet', { reason: 'not_configured' });
    }
    if (!opts.manual && (!c.enabled || (c.cursor.backoffUntil && new Date(c.cursor.backoffUntil) > this.now()))) {
      return skipped;
    }
    if (this.polling) throw new DomainError('CONFLICT', 'a TikTok poll is already running', { reason: 'poll_running' });
    this.polling = true;
    try {
      return await this.run(c);
    } finally {
      this.polling = false;
    }
  }

  private async run(c: TikTokConnectorRow): Promise<PollResult> {
    const repo = new TikTokConnectorRepository(this.pool);
    const result = emptyResult();
    const client = new TikTokShopClient(
      {
        baseUrl: c.baseUrl,
        appKey: c.appKey!,
        appSecret: c.appSecret!,
        accessToken: c.accessToken!,
        shopCipher: c.shopCipher!,
      },
      this.retry,
      this.now,
    );
    try {
      const { applications, pages } = await client.searchApplications();
      result.pages = pages;
      result.applications = applications.length;
      for (const app of applications) await this.syncApplication(app, c, result);
      await this.syncLinked(client, c, result);
      result.rateLimited = client.rateLimited;
      const { outcome: _o, error: _e, ...counts } = result;
      await repo.recordSuccess(this.now(), { ...counts, at: this.now().toISOString() });
      return result;
    } catch (err) {
      result.rateLimited = client.rateLimited;
      return this.failed(err, c, result);
    }
  }

  /** Records a failed poll: an expired token pauses, a rate limit backs off until the next interval. */
  private async failed(err: unknown, c: TikTokConnectorRow, result: PollResult): Promise<PollResult> {
    const repo = new TikTokConnectorRepository(this.pool);
    const at = this.now();
    if (err instanceof TikTokCallError && err.outcome.kind === 'token_expired') {
      const message = `${TOKEN_EXPIRED_ERROR} (TikTok code ${TIKTOK_CODES.accessTokenExpired}: ${err.outcome.message})`;
      await repo.setPaused(true, 'token_expired', at, null);
      await repo.recordError(at, message);
      return { ...result, outcome: 'token_expired', error: message };
    }
    if (err instanceof TikTokCallError && err.outcome.kind === 'rate_limited') {
      const backoffUntil = new Date(at.getTime() + c.pollIntervalS * 1000);
      const message = `rate limited by TikTok (${result.rateLimited} answers of 429); backing off until ${backoffUntil.toISOString()}`;
      await repo.recordError(at, message, { backoffUntil });
      return { ...result, outcome: 'rate_limited', error: message };
    }
    const message =
      err instanceof TikTokCallError
        ? `${err.path}: ${err.message}${err.outcome.kind === 'error' && err.outcome.code !== null ? ` (code ${err.outcome.code})` : ''}`
        : `poll failed: ${(err as Error).message}`;
    await repo.recordError(at, message);
    return { ...result, outcome: 'error', error: message };
  }

  private async syncApplication(app: SampleApplication, c: TikTokConnectorRow, result: PollResult): Promise<void> {
    const repo = new TikTokConnectorRepository(this.pool);
    const at = this.now();
    const known = await repo.link(app.id);
    const seen = { status: app.status, trackingNumber: app.tracking_number ?? null, orderId: app.order_id ?? null };
    if (known?.sampleId) {
      await repo.observe(app.id, seen, at);
      result.known++;
      return;
    }
    // Only applications awaiting the seller's review are ours to decide; the rest TikTok already settled.
    if (app.status !== TIKTOK_PENDING) {
      result.ignored++;
      return;
    }
    const mapped = toSampleRequest(app, { defaultCampaign: c.defaultCampaign, skuMap: c.skuMap });
    const creatorOpenId = app.creator.user_id ?? null;
    if (!mapped.ok) {
      await repo.setUnmapped(app.id, { status: app.status, creatorOpenId, error: mapped.reason }, at);
      result.unmapped++;
      return;
    }
    try {
      const created = await withTransaction(this.pool, async (tx) => {
        const links = new TikTokConnectorRepository(tx);
        if (!(await links.claim(app.id, { ...seen, creatorOpenId }, at))) return false;
        const { creatorOpenId: _id, ...request } = mapped.request;
        const r = await this.lifecycle.requestWithin(tx, { ...request, requestedBy: TIKTOK_REQUESTER }, TIKTOK_BY, {
          createCreator: true,
        });
        await links.setSample(app.id, r.sample.id);
        return true;
      });
      if (created) result.created++;
      else result.known++;
    } catch (err) {
      // An unknown SKU, an invalid handle: kept on the link and retried next poll.
      if (!(err instanceof DomainError)) throw err;
      await repo.setUnmapped(app.id, { status: app.status, creatorOpenId, error: err.message }, at);
      result.unmapped++;
    }
  }

  private async syncLinked(client: TikTokShopClient, c: TikTokConnectorRow, result: PollResult): Promise<void> {
    const repo = new TikTokConnectorRepository(this.pool);
    for (const link of await repo.linkedSamples()) {
      const sampleId = link.sampleId!;
      if (c.writeBack && !link.decisionSent && link.status === TIKTOK_PENDING) {
        const review = reviewFor({
          status: link.sampleStatus,
          approvedAt: link.approvedAt,
          policyRule: link.policyRule,
        });
        if (review) {
          const sent = await this.tolerate(link.applicationId, () => client.review(link.applicationId, review));
          if (sent) {
            await repo.setDecisionSent(link.applicationId, review.review_result, this.now());
            result.decisionsSent++;
          }
        }
      }
      // TikTok's sample order shipped: its tracking number is the label (carrier events then find the sample).
      if (link.sampleStatus === 'approved' && link.trackingNumber && !link.sampleTrackingId) {
        const labelled = await this.tolerate(link.applicationId, () =>
          this.lifecycle.applyEvent(
            sampleId,
            {
              type: 'create_label',
              actor: TIKTOK_ACTOR,
              data: { carrier: 'tiktok_shop', serviceLevel: 'tiktok_sample_order', trackingId: link.trackingNumber },
            },
            TIKTOK_BY,
          ),
        );
        if (labelled) result.shipments++;
      }
      if (CONTENT_STATUSES.has(link.sampleStatus)) await this.syncContent(client, link, result);
    }
  }

  private async syncContent(
    client: TikTokShopClient,
    link: { applicationId: string; sampleId: string | null; sampleStatus: string },
    result: PollResult,
  ): Promise<void> {
    const repo = new TikTokConnectorRepository(this.pool);
    const contents = await client.fulfillments(link.applicationId);
    const figures = contents.map(contentFigures);
    const post = toPost(contents);
    const changed = await repo.setContent(
      link.applicationId,
      {
        contentIds: figures.map((f) => f.id).sort(),
        content: figures,
        views: figures.reduce((n, f) => n + f.views, 0),
        paidOrders: figures.reduce((n, f) => n + f.paidOrders, 0),
      },
      this.now(),
    );
    if (changed) result.contentUpdated++;
    if (!post || link.sampleStatus === 'posted') return;
    const { contentIds: _ids, ...metrics } = post.metrics;
    const posted = await this.tolerate(link.applicationId, () =>
      this.lifecycle.applyEvent(
        link.sampleId!,
        {
          type: 'post',
          actor: TIKTOK_ACTOR,
          at: new Date(post.publishedAt),
          reason: `TikTok Shop content ${post.metrics.contentIds.join(', ')}`,
          data: {
            postUrl: post.postUrl,
            publishedAt: post.publishedAt,
            // TikTok says nothing of ad rights; a person grants them.
            usableForAds: false,
            ...(post.otherUrls ? { otherUrls: post.otherUrls } : {}),
            metrics: { source: 'tiktok_shop', ...metrics },
          },
        },
        TIKTOK_BY,
      ),
    );
    if (posted) result.posts++;
  }

  /**
   * One link's step; a refusal of that step (a TikTok business error, a lifecycle rule)
   * is kept on the link and the poll goes on. Rate limits and an expired token end the poll.
   */
  private async tolerate(applicationId: string, step: () => Promise<unknown>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (err) {
      const perLink = err instanceof DomainError || (err instanceof TikTokCallError && err.outcome.kind === 'error');
      if (!perLink) throw err;
      await new TikTokConnectorRepository(this.pool).setLinkError(applicationId, (err as Error).message);
      return false;
    }
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { AuditActor } from '../domain/auth/principal.ts';
import { campaignFollowUpPolicy } from '../domain/campaign/policy.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { IMAGE_EXTENSION, sniffImageType } from '../domain/photo/image-type.ts';
import { contentDueAt } from '../domain/sample/content-clock.ts';
import { WITH_CARRIER } from '../domain/sample/lifecycle-events.ts';
import type { Actor, ReceiptCondition, SampleState } from '../domain/sample/sample-state.ts';
import type { Pool } from '../storage/database.ts';
import type { PhotoStore } from '../storage/photos/photo-store.ts';
import { CampaignRepository, type CampaignRow } from '../storage/repositories/campaign.repository.ts';
import type { CreatorLinkRow } from '../storage/repositories/creator-link.repository.ts';
import { FollowUpRepository } from '../storage/repositories/follow-up.repository.ts';
import { FollowUpTaskRepository } from '../storage/repositories/follow-up-task.repository.ts';
import { ProductRepository } from '../storage/repositories/product.repository.ts';
import { SamplePhotoRepository, type SamplePhotoRow } from '../storage/repositories/sample-photo.repository.ts';
import type { Sql } from '../storage/sql.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { CreatorLinkService } from './creator-link.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';
import type { PolicyService } from './policy.service.ts';
import type { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { lifecycleRepos, loadForUpdate } from './sample-state.store.ts';

/**
 * What the creator's page shows: this sample only, and only what the creator needs. No
 * costs, no other samples, no exception notes, no other person's contact: the page is
 * built from this allow-list, never from the staff record.
 */
export interface CreatorPageView {
  linkId: string;
  expiresAt: Date;
  creatorHandle: string;
  sample: {
    id: string;
    /** The creator's words for where it is. */
    stage: 'preparing' | 'on_its_way' | 'arrived' | 'content_due' | 'under_review' | 'posted' | 'closed';
    product: { name: string; sku: string; variant: string | null };
    quantity: number;
    tracking: { carrier: string; trackingId: string } | null;
    shippedAt: Date | null;
    receivedAt: Date | null;
    receiptConfirmedAt: Date | null;
    receiptCondition: ReceiptCondition | null;
    dueAt: Date | null;
    post: { urls: string[]; publishedAt: Date } | null;
    declined: { at: Date; reason: string } | null;
  };
  campaign: {
    name: string;
    briefMd: string;
    guidelinesMd: string;
    deliverables: CampaignRow['deliverables'];
    usageRights: CampaignRow['usageRights'];
  } | null;
  extension: {
    rule: CampaignRow['extensionRule'];
    days: number;
    requested: { at: Date; reason: string } | null;
    granted: boolean;
  };
  photos: { id: string; contentType: string; createdAt: Date }[];
  can: { confirmReceipt: boolean; requestExtension: boolean; submitPost: boolean; cannotPost: boolean };
}

export interface UploadedPhoto {
  bytes: Buffer;
}

export interface CreatorPageLimits {
  /** Largest photo, bytes (PHOTO_MAX_BYTES). */
  photoMaxBytes: number;
  /** Photos per receipt. */
  maxPhotos: number;
  /** Requests per minute one link may make (CREATOR_LINK_REQUESTS_PER_MIN); ×5 per source IP. */
  requestsPerMinute: number;
}

const STAGE: Record<string, CreatorPageView['sample']['stage']> = {
  approved: 'preparing',
  label_created: 'preparing',
  dispatched: 'on_its_way',
  in_transit: 'on_its_way',
  delivery_exception: 'on_its_way',
  delivered: 'arrived',
  content_due: 'content_due',
  damaged: 'under_review',
  posted: 'posted',
  outcome_recorded: 'posted',
};

const CONDITION_NOTE: Record<Exclude<ReceiptCondition, 'fine'>, string> = {
  damaged: 'the creator reports the item arrived damaged',
  wrong_item: 'the creator reports the wrong item arrived',
  missing_parts: 'the creator reports parts are missing',
};

/**
 * The creator's side of the loop (issue 12): what a creator link shows and what it may do.
 * Every action is a lifecycle event by the actor `creator` (`link:<id>`), through the same
 * state machine and audit as staff changes; the link opens one sample, so every lookup
 * here starts from the link's sample and nothing else.
 */
export class CreatorPageService {
  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor(
    { pool, now = wallClock }: ServiceDeps,
    private readonly deps: {
      links: CreatorLinkService;
      lifecycle: SampleLifecycleService;
      policy: PolicyService;
      photos: PhotoStore;
      limits: CreatorPageLimits;
    },
  ) {
    this.pool = pool;
    this.now = now;
  }

  get limits(): CreatorPageLimits {
    return this.deps.limits;
  }

  /** The link a token opens (or CreatorLinkRefused). */
  open(token: string): Promise<CreatorLinkRow> {
    return this.deps.links.resolve(token);
  }

  async view(link: CreatorLinkRow): Promise<CreatorPageView> {
    const r = lifecycleRepos(this.pool);
    const stored = await r.samples.load(link.sampleId);
    if (!stored?.state) throw notFound('sample', link.sampleId);
    const { row, state } = stored;
    const campaign = await new CampaignRepository(this.pool).ofSample(row.id);
    const product = await new ProductRepository(this.pool).get(row.sku);
    const { followUp } = await this.deps.policy.inForce();
    const window = campaignFollowUpPolicy(followUp, campaign);
    const dueAt = contentDueAt(state, window);
    const photos = await new SamplePhotoRepository(this.pool).ofSample(row.id);
    const extensionRule = campaign?.extensionRule ?? 'on_request';
    const post = state.post;
    return {
      linkId: link.id,
      expiresAt: link.expiresAt,
      creatorHandle: row.creator,
      sample: {
        id: row.id,
        stage: STAGE[state.status] ?? 'closed',
        product: { name: product?.name ?? row.sku, sku: row.sku, variant: row.variant },
        quantity: row.quantity,
        tracking: state.shipment ? { carrier: state.shipment.carrier, trackingId: state.shipment.trackingId } : null,
        shippedAt: date(state.shippedAt),
        receivedAt: date(state.delivery?.receivedAt),
        receiptConfirmedAt: date(state.receiptConfirmedAt),
        receiptCondition: state.receiptCondition ?? null,
        dueAt: date(dueAt),
        post: post
          ? { urls: [post.postUrl, ...(post.otherUrls ?? [])], publishedAt: new Date(post.publishedAt) }
          : null,
        declined: state.declined ? { at: new Date(state.declined.at), reason: state.declined.reason } : null,
      },
      campaign: campaign
        ? {
            name: campaign.name,
            briefMd: campaign.briefMd,
            guidelinesMd: campaign.guidelinesMd,
            deliverables: campaign.deliverables,
            usageRights: campaign.usageRights,
          }
        : null,
      extension: {
        rule: extensionRule,
        days: window.extensionDays,
        requested: state.contentClock.extensionRequested
          ? {
              at: new Date(state.contentClock.extensionRequested.at),
              reason: state.contentClock.extensionRequested.reason,
            }
          : null,
        granted: state.contentClock.extensionGranted,
      },
      photos: photos.map((p) => ({ id: p.id, contentType: p.contentType, createdAt: p.createdAt })),
      can: abilities(state, extensionRule),
    };
  }

  /**
   * "It arrived": records the delivery when the carrier has not (evidence `creator`), the
   * receipt with its condition and photos, and for anything but `fine` a damage review
   * (which pauses the content clock: a creator is not chased for content they cannot make).
   */
  async confirmReceipt(
    link: CreatorLinkRow,
    input: { condition: ReceiptCondition; note?: string; photos: UploadedPhoto[] },
    ip: string | null,
  ): Promise<void> {
    const photoIds = await this.storePhotos(link, input.photos);
    await withTransaction(this.pool, async (tx) => {
      const by = this.actorOf(link, ip, await handleOf(tx, link.sampleId));
      const actor = creatorActor(link);
      const { state } = await loadForUpdate(lifecycleRepos(tx), link.sampleId);
      if (!abilities(state, 'none').confirmReceipt) {
        throw new DomainError('CONFLICT', 'receipt cannot be confirmed for this sample now', { status: state.status });
      }
      await this.recordPhotos(tx, link, photoIds);
      const at = this.now();
      const apply = (type: string, data: Record<string, unknown>, reason?: string) =>
        this.deps.lifecycle.applyEventWithin(
          tx,
          link.sampleId,
          { type: type as never, actor, data, ...(reason ? { reason } : {}), at },
          by,
        );
      if ((WITH_CARRIER as readonly string[]).includes(state.status)) {
        await apply('deliver', { receivedAt: at.getTime(), evidence: 'creator' });
      }
      const noDelivery = !state.delivery && state.status === 'damaged';
      await apply('confirm_receipt', {
        condition: input.condition,
        ...(noDelivery ? { receivedAt: at.getTime() } : {}),
        ...(photoIds.length ? { photoIds: photoIds.map((p) => p.id) } : {}),
      });
      if (input.condition !== 'fine' && state.status !== 'damaged') {
        await apply('report_damage', {
          note: input.note?.trim() || CONDITION_NOTE[input.condition],
          condition: input.condition,
          photoIds: photoIds.map((p) => p.id),
          suspectedCause: 'unknown',
        });
      }
    });
  }

  /** The one extension, with a reason: granted at once, sent to a manager, or refused, per the campaign's rule. */
  async requestExtension(link: CreatorLinkRow, reason: string, ip: string | null): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const campaign = await new CampaignRepository(tx).ofSample(link.sampleId);
      const rule = campaign?.extensionRule ?? 'on_request';
      if (rule === 'none') {
        throw new DomainError('CONFLICT', 'this campaign allows no extension', { reason: 'no_extension' });
      }
      const by = this.actorOf(link, ip, await handleOf(tx, link.sampleId));
      const at = this.now();
      await this.deps.lifecycle.applyEventWithin(
        tx,
        link.sampleId,
        { type: 'request_extension', actor: creatorActor(link), reason, data: {}, at },
        by,
      );
      if (rule === 'on_request') {
        await this.deps.lifecycle.applyEventWithin(
          tx,
          link.sampleId,
          {
            type: 'grant_extension',
            actor: { kind: 'policy', id: `campaign:${campaign?.id ?? 'unassigned'}` },
            reason: 'the campaign grants the one extension on request',
            data: {},
            at,
          },
          by,
        );
        return;
      }
      // `approval`: a manager decides, from the work queue.
      const f = {
        key: `${link.sampleId}:extension_request`,
        sampleId: link.sampleId,
        action: 'review_extension_request' as const,
        audience: 'manager' as const,
        dueAt: at.getTime(),
        data: { reason },
      };
      if (await new FollowUpRepository(tx).insert(f, at)) await new FollowUpTaskRepository(tx).insertFor(f, at);
    });
  }

  /** The post (first URL) and further deliverables; usable for ads when the campaign's terms grant paid usage. */
  async submitPosts(link: CreatorLinkRow, urls: string[], ip: string | null): Promise<void> {
    if (urls.length === 0) throw new DomainError('VALIDATION_FAILED', 'give the URL of your post');
    await withTransaction(this.pool, async (tx) => {
      const campaign = await new CampaignRepository(tx).ofSample(link.sampleId);
      const at = this.now();
      await this.deps.lifecycle.applyEventWithin(
        tx,
        link.sampleId,
        {
          type: 'post',
          actor: creatorActor(link),
          data: {
            postUrl: urls[0],
            publishedAt: at.getTime(),
            usableForAds: campaign?.usageRights.paidUsage === true,
            ...(urls.length > 1 ? { otherUrls: urls.slice(1) } : {}),
          },
          at,
        },
        this.actorOf(link, ip, await handleOf(tx, link.sampleId)),
      );
    });
  }

  /** "I can't post", with why: the sample is closed as no post, attributed to the creator. */
  async cannotPost(link: CreatorLinkRow, reason: string, ip: string | null): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      await this.deps.lifecycle.applyEventWithin(
        tx,
        link.sampleId,
        { type: 'mark_no_post', actor: creatorActor(link), reason, data: {}, at: this.now() },
        this.actorOf(link, ip, await handleOf(tx, link.sampleId)),
      );
    });
  }

  /** A photo of the link's own sample (bytes and type), or NOT_FOUND: never another sample's. */
  photoOfLink(link: CreatorLinkRow, photoId: string): Promise<{ row: SamplePhotoRow; bytes: Buffer }> {
    return this.photo(link.sampleId, photoId);
  }

  /** Staff: the photos of a sample. */
  photosOfSample(sampleId: string): Promise<SamplePhotoRow[]> {
    return new SamplePhotoRepository(this.pool).ofSample(sampleId);
  }

  async photo(sampleId: string, photoId: string): Promise<{ row: SamplePhotoRow; bytes: Buffer }> {
    const row = await new SamplePhotoRepository(this.pool).get(sampleId, photoId);
    const bytes = row && (await this.deps.photos.get(row.storageKey));
    if (!row || !bytes) throw notFound('photo', photoId);
    return { row, bytes };
  }

  /** Checks every photo before storing any: images only, within the size limit. */
  private async storePhotos(link: CreatorLinkRow, photos: UploadedPhoto[]) {
    const { photoMaxBytes, maxPhotos } = this.deps.limits;
    if (photos.length > maxPhotos) {
      throw new DomainError('VALIDATION_FAILED', `at most ${maxPhotos} photos`, { reason: 'too_many_photos' });
    }
    const checked = photos.map((p, i) => {
      if (p.bytes.length > photoMaxBytes) {
        throw new DomainError('VALIDATION_FAILED', `photo ${i + 1} is over ${Math.floor(photoMaxBytes / 1048576)} MB`, {
          reason: 'photo_too_large',
        });
      }
      const type = sniffImageType(p.bytes);
      if (!type) {
        throw new DomainError('VALIDATION_FAILED', `file ${i + 1} is not a photo (JPEG, PNG, WebP or GIF)`, {
          reason: 'not_an_image',
        });
      }
      const id = randomBytes(12).toString('base64url');
      return { id, type, key: `${link.sampleId}/${id}.${IMAGE_EXTENSION[type]}`, bytes: p.bytes };
    });
    // Bytes first, rows in the transaction after: a row never names bytes that are not there.
    for (const c of checked) await this.deps.photos.put(c.key, c.bytes, c.type);
    return checked;
  }

  private async recordPhotos(
    tx: Sql,
    link: CreatorLinkRow,
    photos: Awaited<ReturnType<CreatorPageService['storePhotos']>>,
  ): Promise<void> {
    const repo = new SamplePhotoRepository(tx);
    for (const p of photos) {
      await repo.insert({
        id: p.id,
        sampleId: link.sampleId,
        linkId: link.id,
        uploadedBy: `link:${link.id}`,
        contentType: p.type,
        bytes: p.bytes.length,
        sha256: createHash('sha256').update(p.bytes).digest('hex'),
        storageKey: p.key,
        createdAt: this.now(),
      });
    }
  }

  private actorOf(link: CreatorLinkRow, ip: string | null, handle: string): AuditActor {
    return { actor: `link:${link.id}`, label: `creator @${handle} (link)`, ip };
  }
}

const creatorActor = (link: CreatorLinkRow): Actor => ({ kind: 'creator', id: `link:${link.id}` });

async function handleOf(tx: Sql, sampleId: string): Promise<string> {
  const { rows } = await tx.query<{ creator: string }>('select creator from samples where id = $1', [sampleId]);
  return rows[0]?.creator ?? 'unknown';
}

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/** What the creator may do now: the state machine's answer, from the creator's side. */
function abilities(state: SampleState, rule: CampaignRow['extensionRule']): CreatorPageView['can'] {
  const s = state.status;
  const awaiting = s === 'delivered' || s === 'content_due';
  return {
    confirmReceipt:
      state.receiptConfirmedAt === undefined &&
      (['dispatched', 'in_transit', 'delivery_exception', 'delivered', 'damaged'] as string[]).includes(s),
    requestExtension:
      rule !== 'none' &&
      s === 'content_due' &&
      !state.contentClock.extensionGranted &&
      !state.contentClock.extensionRequested,
    submitPost: awaiting || s === 'no_post',
    cannotPost: awaiting,
  };
}

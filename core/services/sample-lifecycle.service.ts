import { z } from 'zod';
import { DomainError, notFound } from '../domain/errors.ts';
import { fillGeofences } from '../domain/geofence.ts';
import { decideApproval, policyDecisionEvent, type ApprovalDecision } from '../domain/sample/approval-policy.ts';
import {
  TRIP_OVER_STATUSES,
  applyEvent,
  availableEvents,
  requestReship,
  requestSample,
} from '../domain/sample/lifecycle.ts';
import { AWAITING_CONTENT, type EventType, type SampleEvent } from '../domain/sample/lifecycle-events.ts';
import { contentDueAt } from '../domain/sample/content-clock.ts';
import type { Actor, RequestSource, SampleState } from '../domain/sample/sample-state.ts';
import type { Pool } from '../storage/database.ts';
import type { Sql } from '../storage/sql.ts';
import type { CreatorRow } from '../storage/repositories/creator.repository.ts';
import type { ProductRow } from '../storage/repositories/product.repository.ts';
import type { SampleExtras, SampleRow } from '../storage/repositories/sample.repository.ts';
import type { TransitionRow } from '../storage/repositories/sample-transition.repository.ts';
import { inRolledBackTransaction, isUniqueViolation, withTransaction } from '../storage/transaction.ts';
import type { SampleProgramConfig } from './sample-program.config.ts';
import { PolicyService } from './policy.service.ts';
import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import {
  auditTransitions,
  legacyState,
  lifecycleRepos,
  loadForUpdate,
  trackerEffects,
  tripEndGraceMs,
  type LifecycleRepos,
} from './sample-state.store.ts';
import { DeviceRepository } from '../storage/repositories/device.repository.ts';
import { approvalLimitOf, mayDecide } from '../domain/sample/approval-authority.ts';
import { approverOf } from './approval.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';
import { campaignApprovalPolicy, campaignFollowUpPolicy } from '../domain/campaign/policy.ts';

/** The lifecycle actor of a person's call: the signed-in principal, never a name from the request. */
export function actorOf(by: AuditActor | undefined): Actor {
  if (by?.person) return { kind: 'user', id: by.person.email };
  throw new DomainError('FORBIDDEN', 'a lifecycle change needs a signed-in person or a named platform actor');
}

export interface SampleRequestInput {
  /** Creator id (CRT-000001) or handle; the creator must exist (its address is needed to ship). */
  creator: string;
  sku: string;
  campaign: string;
  variant?: string;
  quantity: number;
  source: RequestSource;
  requestedBy: string;
  /** A named person lifting a restricted-creator refusal; recorded on the decision. */
  override?: { by: string; reason: string };
}

export interface RequestOptions {
  /** Quick entry: a handle nobody knows yet becomes a creator (audited) instead of a 404. */
  createCreator?: boolean;
  /**
   * A dry run inside a transaction the caller rolls back: ids come from a counter of the
   * run, not the sample sequence, so a preview never leaves a gap in the real numbering.
   */
  previewIds?: () => string;
}

/** Ids of a dry run: PREVIEW-1, PREVIEW-2, … */
export function previewIds(): () => string {
  let n = 0;
  return () => `PREVIEW-${++n}`;
}

export interface EventInput {
  type: EventType;
  /** Who the transition names. A person's call leaves it out: it is the signed-in principal (`by.person`). */
  actor?: Actor;
  reason?: string;
  data: Record<string, unknown>;
  /** When it happened; now when absent. */
  at?: Date;
}

export interface Timeline {
  sampleId: string;
  status: string;
  allowedEvents: string[];
  /** paused: damage under review; stopped: content no longer awaited (posted, closed). */
  contentClock: { state: 'not_started' | 'running' | 'paused' | 'stopped'; dueAt: Date | null };
  transitions: TransitionRow[];
}

export interface RequestResult {
  sample: SampleRow;
  decision: ApprovalDecision;
  transitions: TransitionRow[];
}

/** Data a label carries beyond the lifecycle's: what the KPIs cost the send at. */
const LabelExtras = z.object({
  shippingCostCents: z.number().int().nonnegative().optional(),
  packaging: z.string().trim().min(1).max(100).optional(),
});

// Event times may be written as RFC 3339 in the API; the domain wants epoch ms.
const TIME_FIELDS = ['receivedAt', 'publishedAt'] as const;

/**
 * The sample lifecycle, persisted: every change loads and locks the sample, runs the pure
 * rules (`applyEvent`, `decideApproval`), and stores the new state with its transition in
 * one transaction. Side effects of approval (stock reserved, the original of a reship
 * closed) happen in the same transaction, so a refused step leaves nothing behind.
 */
export class SampleLifecycleService {
  private readonly policy: PolicyService;
  private readonly pool: Pool;
  private readonly config: SampleProgramConfig;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock, program }: ServiceDeps & { program: SampleProgramConfig }) {
    this.pool = pool;
    this.config = program;
    this.now = now;
    this.policy = new PolicyService({ pool, pinned: program });
  }

  /**
   * A sample request from the program: validated, then decided by the approval policy.
   * This is the only way a sample comes into being (quick entry, CSV import, the demo and
   * reships included), so no path walks around the policy.
   */
  request(input: SampleRequestInput, by?: AuditActor, opts: RequestOptions = {}): Promise<RequestResult> {
    return withTransaction(this.pool, (tx) => this.requestWithin(tx, input, by, opts));
  }

  /**
   * What the policy would decide on this request now, written nowhere: the request runs in
   * a transaction that is rolled back. `approver` says whether the caller could then
   * approve it themselves (their limit, the four-eyes rule).
   */
  async preview(
    input: SampleRequestInput,
    by: AuditActor,
    opts: Omit<RequestOptions, 'previewIds'> = {},
  ): Promise<RequestResult & { approver: { mayApprove: boolean; reason: string | null } }> {
    return inRolledBackTransaction(this.pool, async (tx) => {
      const result = await this.requestWithin(tx, input, by, { ...opts, previewIds: previewIds() });
      let approver = { mayApprove: false, reason: null as string | null };
      if (result.decision.decision === 'needs_approver') {
        try {
          await this.checkAuthority(tx, result.sample, 'approve', by);
          approver = { mayApprove: true, reason: null };
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          approver = { mayApprove: false, reason: err.message };
        }
      }
      return { ...result, approver };
    });
  }

  /** `request` inside the caller's transaction (bulk import: all rows or none). */
  async requestWithin(
    tx: Sql,
    input: SampleRequestInput,
    by?: AuditActor,
    opts: RequestOptions = {},
  ): Promise<RequestResult> {
    const r = lifecycleRepos(tx);
    const at = this.now();
    const creator = opts.createCreator
      ? await ensureCreator(r, input.creator, at, by)
      : await findCreator(r, input.creator);
    const product = await r.products.get(input.sku, { forUpdate: true });
    if (!product) throw notFound('product', input.sku);
    const id = opts.previewIds ? opts.previewIds() : await r.samples.nextId(at);
    const actor: Actor = { kind: 'user', id: input.requestedBy };
    const { state, transition } = requestSample({
      id,
      at: at.getTime(),
      actor,
      request: {
        creatorId: creator.id,
        campaignId: input.campaign,
        skuId: product.sku,
        quantity: input.quantity,
        source: input.source,
        requestedBy: input.requestedBy,
        ...((input.variant ?? product.variant) ? { variant: input.variant ?? product.variant ?? undefined } : {}),
      },
    });
    await r.samples.insert(state, {
      creator: creator.handle,
      creatorId: creator.id,
      campaign: input.campaign,
      productCostCents: product.unitCostCents * input.quantity,
      at,
    });
    const first = await r.transitions.append(transition);
    const result = await this.decide(r, state, creator, product, input.override, at, [first], by);
    await auditTransitions(r, by, result.transitions);
    return result;
  }

  /** Applies one lifecycle event (a person, or any source through the API). */
  applyEvent(
    sampleId: string,
    input: EventInput,
    by?: AuditActor,
  ): Promise<{ sample: SampleRow; transitions: TransitionRow[] }> {
    return withTransaction(this.pool, (tx) => this.applyEventWithin(tx, sampleId, input, by));
  }

  /** `applyEvent` inside the caller's transaction (an exception's disposition acting on its sample). */
  async applyEventWithin(
    tx: Sql,
    sampleId: string,
    input: EventInput,
    by?: AuditActor,
  ): Promise<{ sample: SampleRow; transitions: TransitionRow[] }> {
    const r = lifecycleRepos(tx);
    const { state, row } = await loadForUpdate(r, sampleId);
    const now = this.now();
    const at = input.at ?? now;
    const data = withEpochTimes(input.data);
    const actor = input.actor ?? actorOf(by);
    if ((input.type === 'approve' || input.type === 'reject') && actor.kind === 'user') {
      // A named approver's decision, within their authority; an override the policy recorded stays on it.
      await this.checkAuthority(tx, row, input.type, by);
      const pending = row.policyDecision as { override?: unknown } | null;
      data.rule ??= 'named_approver';
      data.reasons ??= [input.reason ?? `${input.type === 'approve' ? 'approved' : 'rejected'} by ${actor.id}`];
      if (pending?.override && data.override === undefined) data.override = pending.override;
    }
    // Recorded now: an event older than what the sample shows is appended as late (lifecycle.ts).
    const event = {
      type: input.type,
      at: at.getTime(),
      recordedAt: now.getTime(),
      actor,
      reason: input.reason,
      data,
    } as SampleEvent;
    const extras = input.type === 'create_label' ? this.labelExtras(input.data) : {};
    const transitions = await this.apply(r, state, event, now, extras, by);
    await auditTransitions(r, by, transitions);
    return { sample: (await r.samples.get(sampleId))!, transitions };
  }

  /** A reship of a damaged, lost or returned sample: a new sample with its own approval. */
  reship(originalId: string, input: { requestedBy: string }, by?: AuditActor): Promise<RequestResult> {
    return withTransaction(this.pool, (tx) => this.reshipWithin(tx, originalId, input, by));
  }

  /** `reship` inside the caller's transaction. One live reship per original: a second is refused (CONFLICT). */
  async reshipWithin(
    tx: Sql,
    originalId: string,
    input: { requestedBy: string },
    by?: AuditActor,
  ): Promise<RequestResult> {
    const r = lifecycleRepos(tx);
    const at = this.now();
    const original = await loadForUpdate(r, originalId);
    const live = await r.samples.liveReshipOf(originalId);
    if (live) {
      throw new DomainError('CONFLICT', `sample ${originalId} already has reship ${live}`, {
        reason: 'reship_exists',
        reshipId: live,
      });
    }
    // The state check first: a sample that cannot be reshipped says so before anything is looked up.
    const id = await r.samples.nextId(at);
    const { state, transition } = requestReship(original.state, {
      id,
      at: at.getTime(),
      actor: { kind: 'user', id: input.requestedBy },
    });
    const creator = await r.creators.get(original.row.creatorId ?? '', { forUpdate: true });
    if (!creator) throw notFound('creator', original.row.creator);
    const product = await r.products.get(original.row.sku, { forUpdate: true });
    if (!product) throw notFound('product', original.row.sku);
    await r.samples.insert(state, {
      creator: creator.handle,
      creatorId: creator.id,
      campaign: original.row.campaign,
      productCostCents: product.unitCostCents * state.request.quantity,
      at,
    });
    const first = await r.transitions.append(transition);
    const result = await this.decide(r, state, creator, product, undefined, at, [first], by);
    await auditTransitions(r, by, result.transitions);
    return result;
  }

  /**
   * Packs a tracker into the sample's shipment. A tracker rides in one live trip at a time:
   * one whose trip has ended (trip_ends_at passed) or whose sample is over is detached from
   * it first (reason `reattached`); one on a live trip is refused with DEVICE_IN_USE.
   */
  attachTracker(sampleId: string, deviceId: string, by: AuditActor = systemActor('api')): Promise<SampleRow> {
    return withTransaction(this.pool, async (tx) => {
      const r = lifecycleRepos(tx);
      const now = this.now();
      const { state, row } = await loadForUpdate(r, sampleId);
      const device = await new DeviceRepository(tx).get(deviceId);
      if (!device) throw notFound('device', deviceId);
      if (device.disabledAt) throw new DomainError('DEVICE_DISABLED', `device ${deviceId} is disabled`, { deviceId });
      if (row.deviceId === deviceId) return row;
      const current = await r.samples.activeTripOfDevice(deviceId);
      const detached: { sampleId: string; deviceId: string; reason: string }[] = [];
      if (current) {
        const over =
          (current.tripEndsAt !== null && current.tripEndsAt <= now) ||
          TRIP_OVER_STATUSES.includes(current.status as SampleState['status']);
        if (!over) {
          throw new DomainError(
            'DEVICE_IN_USE',
            `device ${deviceId} is already in the shipment of ${current.sampleId}`,
            {
              deviceId,
              sampleId: current.sampleId,
            },
          );
        }
        await r.samples.detachTracker(current.sampleId, now, 'reattached');
        detached.push({ sampleId: current.sampleId, deviceId, reason: 'reattached' });
      }
      // The sample's own tracker, if another: a person packed this one instead.
      const replaced = await r.samples.detachTracker(sampleId, now, 'manual');
      if (replaced) detached.push({ sampleId, deviceId: replaced, reason: 'manual' });
      const tripEndsAt = state.delivery
        ? new Date(state.delivery.receivedAt + (await tripEndGraceMs(r, sampleId)))
        : null;
      try {
        await r.samples.attachTracker(sampleId, deviceId, now, this.config.trackerCostShareCents, tripEndsAt);
      } catch (err) {
        // Another attach of the same device committed first.
        if (isUniqueViolation(err, 'shipment_trackers_active_device')) {
          throw new DomainError('DEVICE_IN_USE', `device ${deviceId} was just packed into another shipment`, {
            deviceId,
          });
        }
        throw err;
      }
      await r.audit.record(by, {
        action: 'sample.tracker_attach',
        entityType: 'sample',
        entityId: sampleId,
        detail: { deviceId, detached },
      });
      return (await r.samples.get(sampleId))!;
    });
  }

  /** Takes the sample's tracker out of its shipment (a person's call; audited). Its readings so far stay the sample's. */
  detachTracker(sampleId: string, by: AuditActor): Promise<SampleRow> {
    return withTransaction(this.pool, async (tx) => {
      const r = lifecycleRepos(tx);
      await loadForUpdate(r, sampleId);
      const deviceId = await r.samples.detachTracker(sampleId, this.now(), 'manual');
      if (!deviceId) throw new DomainError('NOT_FOUND', `sample ${sampleId} has no tracker attached`, { id: sampleId });
      await r.audit.record(by, {
        action: 'sample.tracker_detach',
        entityType: 'sample',
        entityId: sampleId,
        detail: { deviceId, reason: 'manual' },
      });
      return (await r.samples.get(sampleId))!;
    });
  }

  /**
   * The sample's history in recorded order, the events its record allows now, and its
   * content clock: the due date under the policy in force, or why there is none.
   */
  async timeline(sampleId: string): Promise<Timeline> {
    const r = lifecycleRepos(this.pool);
    const stored = await r.samples.load(sampleId);
    if (!stored) throw notFound('sample', sampleId);
    const state = stored.state ?? legacyState(stored.row);
    // The campaign's posting window, as the sample's own contentDueAt (sample.repository.ts).
    const { followUp: program } = await this.policy.inForce(r.policies);
    const followUp = campaignFollowUpPolicy(program, await r.campaigns.get(state.request.campaignId));
    const due = contentDueAt(state, followUp);
    const clock =
      state.contentClock.pausedSince !== undefined
        ? 'paused'
        : !state.delivery
          ? 'not_started'
          : (AWAITING_CONTENT as readonly string[]).includes(state.status)
            ? 'running'
            : 'stopped';
    return {
      sampleId,
      status: state.status,
      // The events this record allows now (a damaged parcel already delivered is not offered "deliver").
      allowedEvents: availableEvents(state),
      contentClock: { state: clock, dueAt: clock === 'running' && due !== undefined ? new Date(due) : null },
      transitions: await r.transitions.ofSample(sampleId),
    };
  }

  /**
   * A person approving or rejecting must hold the authority (approval-authority.ts): the
   * limit set on them (or the policy's default), never their own request above the
   * auto-approval line. Checked on the principal, inside the transaction that applies it.
   * The platform's own jobs (no person) decide by rule and are not limited here.
   */
  private async checkAuthority(
    tx: Sql,
    row: SampleRow,
    decision: 'approve' | 'reject',
    by: AuditActor | undefined,
  ): Promise<void> {
    if (!by?.person) {
      if (by?.actor.startsWith('system:')) return;
      throw new DomainError('FORBIDDEN', 'approving or rejecting a send needs a signed-in approver', { decision });
    }
    const r = lifecycleRepos(tx);
    const approver = await approverOf(tx, by);
    const { approval: program } = await this.policy.inForce(r.policies);
    const approval = campaignApprovalPolicy(program, row.campaign ? await r.campaigns.get(row.campaign) : undefined);
    const product = await r.products.get(row.sku);
    const verdict = mayDecide(
      approver,
      {
        decision,
        productCostCents: row.productCostCents,
        unitCostCents: product?.unitCostCents ?? Math.round(row.productCostCents / Math.max(1, row.quantity)),
        requestedBy: row.requestedBy ?? '',
      },
      approval,
    );
    if (!verdict.ok) {
      throw new DomainError('FORBIDDEN', verdict.reason, {
        reason: verdict.rule,
        limitCents: approvalLimitOf(approver, approval),
        productCostCents: row.productCostCents,
      });
    }
  }

  /** Runs the approval policy on a new request with facts gathered by SQL, and records its decision. */
  private async decide(
    r: LifecycleRepos,
    state: SampleState,
    creator: CreatorRow,
    product: ProductRow,
    override: SampleRequestInput['override'],
    at: Date,
    transitions: TransitionRow[],
    by?: AuditActor,
  ): Promise<RequestResult> {
    const req = state.request;
    const lastSend = await r.samples.lastSendOfSku(creator.id, req.skuId, state.id);
    // The policy in force at decision time, read in this transaction (an admin may have just
    // changed it), with the changes of the request's campaign (issue 12).
    const { approval: program } = await this.policy.inForce(r.policies);
    const approval = campaignApprovalPolicy(program, await r.campaigns.get(req.campaignId));
    const decision = decideApproval(
      { quantity: req.quantity, requestedAt: at.getTime(), ...(req.reshipOf ? { reshipOf: req.reshipOf } : {}) },
      {
        creator: { standing: creator.standing },
        sku: { unitCostCents: product.unitCostCents, limited: product.limited, onHand: product.inventoryOnHand },
        sentToCreatorInPeriod: await r.samples.sendsInCampaign(creator.id, req.campaignId, state.id),
        ...(lastSend ? { lastSendOfSameSku: lastSend.getTime() } : {}),
        ...(override ? { override } : {}),
      },
      approval,
    );
    await r.samples.setPolicyDecision(state.id, decision);
    const event = policyDecisionEvent(decision, at.getTime());
    if (event) transitions.push(...(await this.apply(r, state, event, at, {}, by)));
    return { sample: (await r.samples.get(state.id))!, decision, transitions };
  }

  /** Applies an event with its side effects; returns the transitions written. */
  private async apply(
    r: LifecycleRepos,
    current: SampleState,
    event: SampleEvent,
    at: Date,
    extras: SampleExtras = {},
    by?: AuditActor,
  ): Promise<TransitionRow[]> {
    const { next, transition } = applyEvent(current, event);
    if (event.type === 'approve') await reserveStock(r, next);
    // Stock reserved on approval goes back when the send is called off before it left.
    if (event.type === 'cancel' && current.firstEnteredAt.approved !== undefined) {
      await r.products.release(next.request.skuId, next.request.quantity);
    }
    if (event.type === 'create_label' && next.shipment?.trackerId) {
      extras = { trackerCostShareCents: this.config.trackerCostShareCents, ...extras };
    }
    try {
      await r.samples.saveState(next, at, extras);
    } catch (err) {
      if (isUniqueViolation(err, 'samples_tracking_id_key')) {
        throw new DomainError('ALREADY_EXISTS', `tracking id ${next.shipment?.trackingId} is on another sample`, {
          trackingId: next.shipment?.trackingId,
        });
      }
      throw err;
    }
    const written = [await r.transitions.append(transition)];
    await trackerEffects(r, current, next, at, by);
    if (event.type === 'create_label' || event.type === 'dispatch') await this.deriveGeofences(r, next);
    if (event.type === 'approve' && next.request.reshipOf) {
      written.push(...(await this.closeOriginal(r, next, event.actor, at, by)));
    }
    return written;
  }

  /** Once a reship is approved, the original closes as `reshipped` (a person's event). */
  private async closeOriginal(
    r: LifecycleRepos,
    reship: SampleState,
    approver: Actor,
    at: Date,
    by?: AuditActor,
  ): Promise<TransitionRow[]> {
    const original = await loadForUpdate(r, reship.request.reshipOf!);
    const actor: Actor = approver.kind === 'user' ? approver : { kind: 'user', id: reship.request.requestedBy };
    return this.apply(
      r,
      original.state,
      {
        type: 'reship',
        at: at.getTime(),
        actor,
        reason: `replaced by reship ${reship.id}`,
        data: { reshipSampleId: reship.id },
      },
      at,
      {},
      by,
    );
  }

  /**
   * Geofences nobody set get the configured origin warehouse and the coordinates of the
   * creator's shipping address (the first address; no coordinates there, no destination).
   * An explicit PUT /geofences, before or after, wins.
   */
  private async deriveGeofences(r: LifecycleRepos, sample: SampleState): Promise<void> {
    const config = this.config.geofences ?? { warehouse: null, radiusM: 300 };
    const current = await r.conditions.geofences(sample.id);
    if (!current) return;
    const row = await r.samples.get(sample.id);
    const creator = row?.creatorId ? await r.creators.get(row.creatorId) : undefined;
    const address = creator?.addresses[0];
    const destination =
      address?.lat !== undefined && address.lon !== undefined ? { lat: address.lat, lon: address.lon } : null;
    const filled = fillGeofences(current, { origin: config.warehouse, destination, radiusM: config.radiusM });
    if (filled) await r.samples.setGeofences(sample.id, filled);
  }

  private labelExtras(raw: unknown): SampleExtras {
    const parsed = LabelExtras.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new DomainError('VALIDATION_FAILED', `invalid label data: ${issues.join('; ')}`, { issues });
    }
    return parsed.data;
  }
}

/** Quick entry: an unknown handle becomes a new creator (audited), then is locked like any other. */
async function ensureCreator(r: LifecycleRepos, ref: string, at: Date, by?: AuditActor): Promise<CreatorRow> {
  if (!/^CRT-\d{6,}$/.test(ref) && !(await r.creators.byHandle(ref))) {
    const created = await r.creators.ensureHandle(ref, at);
    if (by) {
      await r.audit.record(by, {
        action: 'creator.create',
        entityType: 'creator',
        entityId: created.id,
        detail: { after: { handle: created.handle }, via: 'quick_entry' },
      });
    }
  }
  return findCreator(r, ref);
}

/** Resolves a creator reference (id or handle) and locks the creator, serialising its requests. */
async function findCreator(r: LifecycleRepos, ref: string): Promise<CreatorRow> {
  const id = /^CRT-\d{6,}$/.test(ref) ? ref : (await r.creators.byHandle(ref))?.id;
  const creator = id ? await r.creators.get(id, { forUpdate: true }) : undefined;
  if (!creator) throw notFound('creator', ref);
  return creator;
}

/** Approval reserves the stock; none left refuses the approval (a SKU not in the catalogue has no stock to keep). */
async function reserveStock(r: LifecycleRepos, s: SampleState): Promise<void> {
  const product = await r.products.get(s.request.skuId, { forUpdate: true });
  if (!product) return;
  if (!(await r.products.reserve(product.sku, s.request.quantity))) {
    throw new DomainError(
      'CONFLICT',
      `out of stock: ${product.inventoryOnHand} of ${product.sku} on hand, ${s.request.quantity} needed`,
      { reason: 'out_of_stock', sku: product.sku, onHand: product.inventoryOnHand, quantity: s.request.quantity },
    );
  }
}

function withEpochTimes(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  for (const key of TIME_FIELDS) {
    const v = out[key];
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) out[key] = Date.parse(v);
  }
  return out;
}

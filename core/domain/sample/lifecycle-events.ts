import { z } from 'zod';
import { RECEIPT_CONDITIONS, type Actor, type ActorKind, type SampleState, type SampleStatus } from './sample-state.ts';

/**
 * The lifecycle's events: for each, the statuses it may leave, the status it enters, who
 * may cause it, and the data it must carry (validated with zod, stored on the transition).
 * `applyEvent` (lifecycle.ts) is the only interpreter of this table.
 */

const text = z.string().trim().min(1);
const epochMs = z.number().int().nonnegative();
const httpUrl = z.url({ protocol: /^https?$/ });

/** Statuses in which the parcel is, or is about to be, in the carrier's hands. */
export const WITH_CARRIER = [
  'label_created',
  'dispatched',
  'in_transit',
  'delivery_exception',
] as const satisfies SampleStatus[];
/** Statuses in which a delivered parcel waits for content (the content clock runs). */
export const AWAITING_CONTENT = ['delivered', 'content_due'] as const satisfies SampleStatus[];
/** Exceptions that end a shipment; each may be replaced by a reship. */
export const RESHIPPABLE = ['damaged', 'lost', 'returned_to_sender'] as const satisfies SampleStatus[];

export interface EventContext {
  /** When it happened, per its source. */
  at: number;
  /**
   * When the record takes it into account: `at`, or for a late event (older than what the
   * sample shows) the time it was recorded. Clocks and status dates use this, so what was
   * already shown (a due date, a "since") is not rewritten into the past.
   */
  effectiveAt: number;
  actor: Actor;
  /** The event's reason, trimmed (required where `reasonRequired`). */
  reason?: string;
}

/** An event whose resulting status depends on the record (e.g. delivered or not). */
export interface Route {
  /** Every status it may lead to (docs, reachability). */
  targets: readonly SampleStatus[];
  /** The status, from the folded record and the record before the event. */
  pick: (next: SampleState, before: SampleState) => SampleStatus;
}

/** What folding an event's raw data into a state gives: the new record, or why not. */
export type FoldResult =
  | { ok: true; next: SampleState; data: Record<string, unknown> }
  | { ok: false; kind: 'invalid_data'; issues: string[] }
  | { ok: false; kind: 'refused'; message: string };

export interface EventSpec<S extends z.ZodType<Record<string, unknown>>> {
  from: readonly SampleStatus[];
  to: SampleStatus | Route;
  actors: readonly ActorKind[];
  /** Judgement calls must say why. */
  reasonRequired: boolean;
  data: S;
  /** Why the event cannot apply to this record although its status allows it; undefined: it can. */
  precondition: (state: SampleState) => string | undefined;
  /** Validates the raw data and folds it into the record; status and dates are set by `applyEvent`. */
  fold: (state: SampleState, raw: unknown, ctx: EventContext) => FoldResult;
}

interface EventDefinition<S extends z.ZodType<Record<string, unknown>>> {
  from: readonly SampleStatus[];
  to: SampleStatus | Route;
  actors: readonly ActorKind[];
  reasonRequired?: boolean;
  data: S;
  /** A refusal that depends on the record only (e.g. already delivered); hides the event from the actions offered. */
  precondition?: (state: SampleState) => string | undefined;
  /** A refusal beyond the status check (returns the message), e.g. a second extension. */
  guard?: (state: SampleState, data: z.output<S>) => string | undefined;
  reduce?: (state: SampleState, data: z.output<S>, ctx: EventContext) => SampleState;
}

// Ties each reducer to its own schema's output type, then erases the type behind `fold`
// so the interpreter can treat every event alike without casts.
function defineEvent<S extends z.ZodType<Record<string, unknown>>>(def: EventDefinition<S>): EventSpec<S> {
  return {
    from: def.from,
    to: def.to,
    actors: def.actors,
    reasonRequired: def.reasonRequired ?? false,
    data: def.data,
    precondition: (state) => def.precondition?.(state),
    fold(state, raw, ctx) {
      const parsed = def.data.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`);
        return { ok: false, kind: 'invalid_data', issues };
      }
      const refusal = def.guard?.(state, parsed.data);
      if (refusal) return { ok: false, kind: 'refused', message: refusal };
      return { ok: true, next: def.reduce ? def.reduce(state, parsed.data, ctx) : state, data: parsed.data };
    },
  };
}

const decisionData = z.object({
  rule: text,
  reasons: z.array(text).min(1),
  override: z.object({ by: text, reason: text }).optional(),
});

const outcomeData = z
  .object({
    orders: z.number().int().nonnegative(),
    gmvCents: z.number().int().nonnegative(),
    classification: z.enum(['converted', 'content_only', 'no_result']),
  })
  // "Converted" means it sold; anything else with orders would hide a conversion.
  .refine((o) => (o.classification === 'converted') === o.orders > 0, {
    message: 'classification is "converted" exactly when orders > 0',
  })
  .refine((o) => o.orders > 0 || o.gmvCents === 0, { message: 'GMV without orders' });

export const EVENTS = {
  approve: defineEvent({
    from: ['requested'],
    to: 'approved',
    actors: ['user', 'policy'],
    data: decisionData,
    reduce: (s, d, { actor }) => ({ ...s, approval: { decision: 'approved', ...d, decidedBy: actor } }),
  }),
  reject: defineEvent({
    from: ['requested'],
    to: 'rejected',
    actors: ['user', 'policy'],
    data: decisionData,
    reduce: (s, d, { actor }) => ({ ...s, approval: { decision: 'rejected', ...d, decidedBy: actor } }),
  }),
  cancel: defineEvent({
    from: ['requested', 'approved', 'label_created'],
    to: 'cancelled',
    actors: ['user'],
    reasonRequired: true,
    data: z.object({}),
  }),
  create_label: defineEvent({
    from: ['approved'],
    to: 'label_created',
    actors: ['user', 'scheduler'],
    data: z.object({ carrier: text, serviceLevel: text, trackingId: text, trackerId: text.optional() }),
    reduce: (s, d) => ({ ...s, shipment: d }),
  }),
  dispatch: defineEvent({
    from: ['label_created'],
    to: 'dispatched',
    actors: ['user'],
    data: z.object({
      packedItems: z
        .array(z.object({ skuId: text, variant: text.optional(), quantity: z.number().int().positive() }))
        .min(1),
      warehouseConfirmation: text,
    }),
    reduce: (s, d) => ({ ...s, dispatch: d }),
  }),
  // A carrier scan may come before the warehouse confirms dispatch: the parcel is
  // demonstrably moving, so the scan wins; the missing dispatch record stays visible.
  mark_in_transit: defineEvent({
    from: ['label_created', 'dispatched', 'delivery_exception'],
    to: 'in_transit',
    actors: ['carrier', 'tracker', 'user'],
    data: z.object({ location: text.optional(), detail: text.optional() }),
  }),
  report_exception: defineEvent({
    from: ['label_created', 'dispatched', 'in_transit'],
    to: 'delivery_exception',
    actors: ['carrier', 'tracker', 'user'],
    data: z.object({ detail: text, location: text.optional() }),
    reduce: (s, d, { at }) => ({
      ...s,
      exceptions: [...s.exceptions, { kind: 'delivery_exception', at, detail: d.detail }],
    }),
  }),
  // From `damaged` too while the parcel is still on its way (damage measured in transit).
  return_to_sender: defineEvent({
    from: ['dispatched', 'in_transit', 'delivery_exception', 'damaged'],
    to: 'returned_to_sender',
    actors: ['carrier', 'user'],
    data: z.object({ detail: text.optional() }),
    precondition: (s) => (s.delivery ? 'the parcel was already delivered' : undefined),
    reduce: (s, d, { at }) => ({ ...s, exceptions: [...s.exceptions, { kind: 'returned_to_sender', at, ...d }] }),
  }),
  // From `delivered` too: "it never arrived" while the carrier says delivered, settled
  // by evidence (tracker, address, creator) as lost. From `damaged`: lost after the damage.
  mark_lost: defineEvent({
    from: ['dispatched', 'in_transit', 'delivery_exception', 'delivered', 'damaged'],
    to: 'lost',
    actors: ['carrier', 'user'],
    reasonRequired: true,
    data: z.object({ detail: text.optional() }),
    reduce: (s, d, { at }) => ({ ...s, exceptions: [...s.exceptions, { kind: 'lost', at, ...d }] }),
  }),
  // A damaged parcel still arrives: the delivery is recorded (the KPIs count it, the content
  // clock will count from it) and the damage review stays open.
  deliver: defineEvent({
    from: [...WITH_CARRIER, 'damaged'],
    to: {
      targets: ['delivered', 'damaged'],
      pick: (_next, before) => (before.status === 'damaged' ? 'damaged' : 'delivered'),
    },
    // `creator`: the creator says it arrived before the carrier did (their page).
    actors: ['carrier', 'tracker', 'user', 'creator'],
    data: z.object({
      /** When it actually arrived; the content clock starts here, not at `at`. */
      receivedAt: epochMs,
      evidence: z.enum(['courier', 'tracker', 'creator']),
      note: text.optional(),
    }),
    precondition: (s) => (s.delivery ? 'the delivery is already recorded' : undefined),
    reduce: (s, d) => ({ ...s, delivery: d }),
  }),
  // During a damage review the creator may confirm receipt (with its time when no delivery
  // was recorded yet); the review stays open.
  confirm_receipt: defineEvent({
    from: ['delivered', 'damaged'],
    to: {
      targets: ['content_due', 'damaged'],
      pick: (_next, before) => (before.status === 'damaged' ? 'damaged' : 'content_due'),
    },
    actors: ['user', 'creator'],
    data: z.object({
      receivedAt: epochMs.optional(),
      condition: z.enum(RECEIPT_CONDITIONS).optional(),
      /** Photos of the parcel as received (sample_photos ids). */
      photoIds: z.array(text).max(20).optional(),
    }),
    precondition: (s) => (s.receiptConfirmedAt !== undefined ? 'receipt was already confirmed' : undefined),
    guard: (s, d) =>
      !s.delivery && d.receivedAt === undefined
        ? 'no delivery is recorded: say when it was received (receivedAt)'
        : undefined,
    reduce: (s, d, { effectiveAt }) => ({
      ...s,
      // A recorded delivery stands: the receipt shown is not rewritten.
      delivery: s.delivery ?? { receivedAt: d.receivedAt!, evidence: 'creator' },
      receiptConfirmedAt: effectiveAt,
      ...(d.condition ? { receiptCondition: d.condition } : {}),
    }),
  }),
  // Damage is found on receipt (a person reports it, and it pauses the content clock) or
  // measured in transit (the parcel's tracker crossed its product's condition profile).
  // Late evidence (measured before what the sample shows, e.g. after the delivery) still
  // opens the review, and pauses the clock from when it was recorded, not retroactively.
  report_damage: defineEvent({
    from: [...WITH_CARRIER, ...AWAITING_CONTENT],
    to: 'damaged',
    actors: ['user', 'tracker', 'creator'],
    data: z.object({
      note: text,
      photoUrls: z.array(httpUrl).default([]),
      /** Photos uploaded to the platform (the creator's page): sample_photos ids. */
      photoIds: z.array(text).max(20).default([]),
      /** Found on receipt: a damaged item (default), the wrong item, parts missing. */
      condition: z.enum(['damaged', 'wrong_item', 'missing_parts']).default('damaged'),
      suspectedCause: z.enum(['transit', 'packaging', 'unknown']).default('unknown'),
    }),
    reduce: (s, d, { at, effectiveAt }) => ({
      ...s,
      exceptions: [
        ...s.exceptions,
        {
          kind: 'damaged',
          at,
          detail: d.note,
          photoUrls: d.photoUrls,
          ...(d.photoIds.length ? { photoIds: d.photoIds } : {}),
          ...(d.condition !== 'damaged' ? { condition: d.condition } : {}),
          suspectedCause: d.suspectedCause,
        },
      ],
      contentClock: { ...s.contentClock, pausedSince: effectiveAt },
      damageReview: { since: effectiveAt, from: s.status },
    }),
  }),
  // Usable despite the damage. Delivered: content is due, the clock counted from the real
  // receipt plus the time paused after it. Not delivered yet: back with the carrier.
  resolve_damage: defineEvent({
    from: ['damaged'],
    to: { targets: ['content_due', ...WITH_CARRIER], pick: backFromDamage },
    actors: ['user'],
    reasonRequired: true,
    data: z.object({}),
    reduce: (s, _d, { effectiveAt }) => {
      const { pausedSince, ...clock } = s.contentClock;
      const { damageReview: _closed, ...rest } = s;
      // The clock only runs from the receipt: time paused before it is not added.
      const start =
        s.delivery && pausedSince !== undefined ? Math.max(pausedSince, s.delivery.receivedAt) : effectiveAt;
      const paused = Math.max(0, effectiveAt - start);
      return { ...rest, contentClock: { ...clock, pausedMs: clock.pausedMs + paused } };
    },
  }),
  // The creator asks for the one extension, saying why. Whether it is granted at once (by
  // the campaign's rule, actor `policy`) or by a manager is the service's call.
  request_extension: defineEvent({
    from: ['content_due'],
    to: 'content_due',
    actors: ['creator', 'user'],
    reasonRequired: true,
    data: z.object({}),
    precondition: (s) =>
      s.contentClock.extensionGranted
        ? 'the one extension was already granted'
        : s.contentClock.extensionRequested
          ? 'the extension was already requested'
          : undefined,
    reduce: (s, _d, { effectiveAt, reason }) => ({
      ...s,
      contentClock: { ...s.contentClock, extensionRequested: { at: effectiveAt, reason: reason ?? '' } },
    }),
  }),
  // TikTok Shop allows one extension; its length is a policy setting (follow-up.ts).
  grant_extension: defineEvent({
    from: ['content_due'],
    to: 'content_due',
    actors: ['user', 'policy'],
    reasonRequired: true,
    data: z.object({}),
    precondition: (s) => (s.contentClock.extensionGranted ? 'the one extension was already granted' : undefined),
    reduce: (s) => ({ ...s, contentClock: { ...s.contentClock, extensionGranted: true } }),
  }),
  // From `no_post` too: a late post is still a post; the creator's standing is not
  // restored automatically (that is a person's call).
  post: defineEvent({
    from: ['delivered', 'content_due', 'no_post'],
    to: 'posted',
    actors: ['user', 'scheduler', 'creator'],
    data: z.object({
      postUrl: httpUrl,
      publishedAt: epochMs,
      usableForAds: z.boolean(),
      /** Further deliverables' URLs (a second video, a LIVE replay). */
      otherUrls: z.array(httpUrl).max(10).optional(),
      /** The platform's figures when it reports the post (TikTok Shop: views, paid orders). */
      metrics: z
        .object({
          source: text,
          views: z.number().int().nonnegative(),
          paidOrders: z.number().int().nonnegative(),
          gmvCents: z.number().int().nonnegative().optional(),
        })
        .optional(),
    }),
    reduce: (s, d) => ({ ...s, post: d }),
  }),
  // `creator`: the creator says they cannot post (their reason is the transition's).
  mark_no_post: defineEvent({
    from: AWAITING_CONTENT,
    to: 'no_post',
    actors: ['scheduler', 'user', 'creator'],
    reasonRequired: true,
    data: z.object({}),
    reduce: (s, _d, { actor, effectiveAt, reason }) =>
      actor.kind === 'creator' ? { ...s, declined: { at: effectiveAt, reason: reason ?? '' } } : s,
  }),
  record_outcome: defineEvent({
    from: ['posted'],
    to: 'outcome_recorded',
    actors: ['user', 'scheduler'],
    data: outcomeData,
    reduce: (s, d) => ({ ...s, outcome: d }),
  }),
  // Applied to the original once its reship (a new sample, see `requestReship`) is approved.
  reship: defineEvent({
    from: RESHIPPABLE,
    to: 'reshipped',
    actors: ['user'],
    reasonRequired: true,
    data: z.object({ reshipSampleId: text }),
    guard: (s, d) => (d.reshipSampleId === s.id ? 'a sample cannot be its own reship' : undefined),
    reduce: (s, d) => ({ ...s, reshippedAs: d.reshipSampleId }),
  }),
  // The send is closed as a loss without a replacement (exception disposition "write off").
  write_off: defineEvent({
    from: [...RESHIPPABLE, 'delivery_exception'],
    to: 'written_off',
    actors: ['user'],
    reasonRequired: true,
    data: z.object({}),
  }),
};

/** Where a resolved damage review returns to: content when delivered, else the carrier status it left. */
function backFromDamage(next: SampleState, before: SampleState): SampleStatus {
  if (next.delivery) return 'content_due';
  const from = before.damageReview?.from;
  return from && (WITH_CARRIER as readonly SampleStatus[]).includes(from) ? from : 'in_transit';
}

export type EventType = keyof typeof EVENTS;

/** Every status an event may lead to. */
export const targetsOf = (type: EventType): readonly SampleStatus[] => {
  const to = EVENTS[type].to;
  return typeof to === 'string' ? [to] : to.targets;
};
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
/** An event's data as callers write it: the schema's input (defaults may be omitted). */
export type EventData<K extends EventType> = z.input<(typeof EVENTS)[K]['data']>;

/** An event as callers write it. */
export type SampleEvent = {
  [K in EventType]: {
    type: K;
    /** When it happened (epoch ms), per the source: a person, the carrier, a tracker. */
    at: number;
    /** When it is recorded (epoch ms); a late event is placed by it. Defaults to `at`. */
    recordedAt?: number;
    actor: Actor;
    reason?: string;
    data: EventData<K>;
  };
}[EventType];

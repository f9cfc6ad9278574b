import { z } from 'zod';
import type { Actor, ActorKind, SampleState, SampleStatus } from './sample-state.ts';

/**
 * The lifecycle's events: for each, the statuses it may leave, the status it enters, who
 * may cause it, and the data it must carry (validated with zod, stored on the transition).
 * `applyEvent` (lifecycle.ts) is the only interpreter of this table.
 */

const text = z.string().trim().min(1);
const epochMs = z.number().int().nonnegative();
const httpUrl = z.url({ protocol: /^https?$/ });

/** Statuses in which the parcel is, or is about to be, in the carrier's hands. */
const WITH_CARRIER = ['label_created', 'dispatched', 'in_transit', 'delivery_exception'] as const satisfies
  SampleStatus[];
/** Statuses in which a delivered parcel waits for content (the content clock runs). */
export const AWAITING_CONTENT = ['delivered', 'content_due'] as const satisfies SampleStatus[];
/** Exceptions that end a shipment; each may be replaced by a reship. */
export const RESHIPPABLE = ['damaged', 'lost', 'returned_to_sender'] as const satisfies SampleStatus[];

export interface EventContext {
  at: number;
  actor: Actor;
}

/** What folding an event's raw data into a state gives: the new record, or why not. */
export type FoldResult =
  | { ok: true; next: SampleState; data: Record<string, unknown> }
  | { ok: false; kind: 'invalid_data'; issues: string[] }
  | { ok: false; kind: 'refused'; message: string };

export interface EventSpec<S extends z.ZodType<Record<string, unknown>>> {
  from: readonly SampleStatus[];
  to: SampleStatus;
  actors: readonly ActorKind[];
  /** Judgement calls must say why. */
  reasonRequired: boolean;
  data: S;
  /** Validates the raw data and folds it into the record; status and dates are set by `applyEvent`. */
  fold: (state: SampleState, raw: unknown, ctx: EventContext) => FoldResult;
}

interface EventDefinition<S extends z.ZodType<Record<string, unknown>>> {
  from: readonly SampleStatus[];
  to: SampleStatus;
  actors: readonly ActorKind[];
  reasonRequired?: boolean;
  data: S;
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
  return_to_sender: defineEvent({
    from: ['dispatched', 'in_transit', 'delivery_exception'],
    to: 'returned_to_sender',
    actors: ['carrier', 'user'],
    data: z.object({ detail: text.optional() }),
    reduce: (s, d, { at }) => ({ ...s, exceptions: [...s.exceptions, { kind: 'returned_to_sender', at, ...d }] }),
  }),
  // From `delivered` too: "it never arrived" while the carrier says delivered, settled
  // by evidence (tracker, address, creator) as lost.
  mark_lost: defineEvent({
    from: ['dispatched', 'in_transit', 'delivery_exception', 'delivered'],
    to: 'lost',
    actors: ['carrier', 'user'],
    reasonRequired: true,
    data: z.object({ detail: text.optional() }),
    reduce: (s, d, { at }) => ({ ...s, exceptions: [...s.exceptions, { kind: 'lost', at, ...d }] }),
  }),
  deliver: defineEvent({
    from: WITH_CARRIER,
    to: 'delivered',
    actors: ['carrier', 'tracker', 'user'],
    data: z.object({
      /** When it actually arrived; the content clock starts here, not at `at`. */
      receivedAt: epochMs,
      evidence: z.enum(['courier', 'tracker', 'creator']),
      note: text.optional(),
    }),
    reduce: (s, d) => ({ ...s, delivery: d }),
  }),
  confirm_receipt: defineEvent({
    from: ['delivered'],
    to: 'content_due',
    actors: ['user'],
    data: z.object({}),
  }),
  // Damage is found on receipt (a person reports it, and it pauses the content clock) or
  // measured in transit (the parcel's tracker crossed its product's condition profile).
  report_damage: defineEvent({
    from: [...WITH_CARRIER, ...AWAITING_CONTENT],
    to: 'damaged',
    actors: ['user', 'tracker'],
    data: z.object({
      note: text,
      photoUrls: z.array(httpUrl).default([]),
      suspectedCause: z.enum(['transit', 'packaging', 'unknown']).default('unknown'),
    }),
    reduce: (s, d, { at }) => ({
      ...s,
      exceptions: [
        ...s.exceptions,
        { kind: 'damaged', at, detail: d.note, photoUrls: d.photoUrls, suspectedCause: d.suspectedCause },
      ],
      contentClock: { ...s.contentClock, pausedSince: at },
    }),
  }),
  // Usable despite the damage: the clock resumes where it stopped.
  resolve_damage: defineEvent({
    from: ['damaged'],
    to: 'content_due',
    actors: ['user'],
    reasonRequired: true,
    data: z.object({}),
    reduce: (s, _d, { at }) => {
      const { pausedSince, ...clock } = s.contentClock;
      const paused = pausedSince === undefined ? 0 : Math.max(0, at - pausedSince);
      return { ...s, contentClock: { ...clock, pausedMs: clock.pausedMs + paused } };
    },
  }),
  // TikTok Shop allows one extension; its length is a policy setting (follow-up.ts).
  grant_extension: defineEvent({
    from: ['content_due'],
    to: 'content_due',
    actors: ['user'],
    reasonRequired: true,
    data: z.object({}),
    guard: (s) => (s.contentClock.extensionGranted ? 'the one extension was already granted' : undefined),
    reduce: (s) => ({ ...s, contentClock: { ...s.contentClock, extensionGranted: true } }),
  }),
  // From `no_post` too: a late post is still a post; the creator's standing is not
  // restored automatically (that is a person's call).
  post: defineEvent({
    from: ['delivered', 'content_due', 'no_post'],
    to: 'posted',
    actors: ['user', 'scheduler'],
    data: z.object({ postUrl: httpUrl, publishedAt: epochMs, usableForAds: z.boolean() }),
    reduce: (s, d) => ({ ...s, post: d }),
  }),
  mark_no_post: defineEvent({
    from: AWAITING_CONTENT,
    to: 'no_post',
    actors: ['scheduler', 'user'],
    reasonRequired: true,
    data: z.object({}),
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
};

export type EventType = keyof typeof EVENTS;
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
/** An event's data as callers write it: the schema's input (defaults may be omitted). */
export type EventData<K extends EventType> = z.input<(typeof EVENTS)[K]['data']>;

/** An event as callers write it. */
export type SampleEvent = {
  [K in EventType]: {
    type: K;
    /** When it happened (epoch ms), per the source: a person, the carrier, a tracker. */
    at: number;
    actor: Actor;
    reason?: string;
    data: EventData<K>;
  };
}[EventType];

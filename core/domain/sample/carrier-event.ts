import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { applyEvent } from './lifecycle.ts';
import { EVENTS, WITH_CARRIER, type SampleEvent } from './lifecycle-events.ts';
import type { SampleState, SampleStatus, Transition } from './sample-state.ts';

/**
 * Our carrier-tracking webhook, one JSON object per event (documented shape, our own;
 * carrier adapters translate into it):
 *
 *   { "trackingId": "1Z999AA10123456784", "event": "delivered",
 *     "at": "2025-03-05T14:02:00+01:00", "location": "Lyon", "detail": "left at door" }
 *
 * Unknown fields are dropped. `at` is RFC 3339 with an offset (a bare local time is
 * ambiguous) and becomes epoch milliseconds.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export const CARRIER_EVENT_TYPES = [
  'label_created',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned',
  'lost',
] as const;
export type CarrierEventType = (typeof CARRIER_EVENT_TYPES)[number];

export const CarrierEventSchema = z.object({
  trackingId: z.string().trim().min(1).max(128),
  event: z.enum(CARRIER_EVENT_TYPES),
  at: z
    .string()
    .regex(RFC3339, 'at must be RFC 3339 with an offset')
    .transform((s, ctx) => {
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: 'at is not a real date' });
        return z.NEVER;
      }
      return ms;
    }),
  location: z.string().trim().min(1).max(200).optional(),
  detail: z.string().trim().min(1).max(1000).optional(),
});
export type CarrierEvent = z.output<typeof CarrierEventSchema>;

/** Unique per carrier event: the webhook inbox stores raw events under it (ON CONFLICT DO NOTHING). */
export const carrierEventKey = (e: CarrierEvent): string => `${e.trackingId}:${e.event}:${e.at}`;

/** The lifecycle event a carrier event stands for; the lifecycle table decides whether it applies now. */
type CarrierDrivenEvent = 'mark_in_transit' | 'deliver' | 'report_exception' | 'return_to_sender' | 'mark_lost';
const LIFECYCLE_EVENT: Record<CarrierEventType, CarrierDrivenEvent | null> = {
  // Labels are ours: the carrier's echo confirms what we already recorded.
  label_created: null,
  picked_up: 'mark_in_transit',
  in_transit: 'mark_in_transit',
  out_for_delivery: 'mark_in_transit',
  delivered: 'deliver',
  exception: 'report_exception',
  returned: 'return_to_sender',
  lost: 'mark_lost',
};

/**
 * The carrier may only move a parcel it holds. Once delivered, people and trackers own
 * the record: a late carrier "lost" cannot undo a delivery a creator confirmed. A parcel
 * under damage review that has not arrived yet is still the carrier's: its delivery, return
 * or loss is recorded (the review stays open through a delivery).
 */
const carrierHolds = (s: SampleState): boolean =>
  (WITH_CARRIER as readonly SampleStatus[]).includes(s.status) || (s.status === 'damaged' && !s.delivery);

export type CarrierEventResult =
  | { effect: 'transition'; next: SampleState; transition: Transition }
  /** Taken into account, nothing to change (e.g. in_transit while in transit). */
  | { effect: 'no_op'; next: SampleState; reason: string }
  /** Older than, or the same as, an event already taken into account: ignored entirely. */
  | { effect: 'stale'; next: SampleState; reason: string };

/**
 * Drives the lifecycle from a carrier event, idempotently: the same event twice gives one
 * transition, then `stale`. Events are ordered by the carrier's own time: one older than
 * the newest taken into account arrived late (retries, batch uploads) and is stale, so a
 * replayed `exception` cannot reopen an exception already resolved. Never throws for a
 * carrier event that merely does not fit the current status (a webhook must not fail on
 * reality): those are `no_op`. Throws only when the event is for another parcel.
 */
export function applyCarrierEvent(sample: SampleState, event: CarrierEvent, recordedAt?: number): CarrierEventResult {
  if (sample.shipment?.trackingId !== event.trackingId) {
    const message = `carrier event for ${event.trackingId} does not belong to sample ${sample.id}`;
    throw new DomainError('VALIDATION_FAILED', message, { sampleId: sample.id, trackingId: event.trackingId });
  }
  const last = sample.lastCarrierEvent;
  if (last && (event.at < last.at || (event.at === last.at && event.event === last.event))) {
    const reason = `already have carrier "${last.event}" at ${new Date(last.at).toISOString()}`;
    return { effect: 'stale', next: sample, reason };
  }
  const seen: SampleState = { ...sample, lastCarrierEvent: { event: event.event, at: event.at } };

  const lifecycleEvent = toLifecycleEvent(sample, event);
  if (!lifecycleEvent) return { effect: 'no_op', next: seen, reason: noOpReason(sample.status, event.event) };
  const { next, transition } = applyEvent(
    seen,
    recordedAt === undefined ? lifecycleEvent : { ...lifecycleEvent, recordedAt },
  );
  return { effect: 'transition', next, transition };
}

// The lifecycle table is the authority: a carrier event that does not leave the current
// status (in_transit while in transit, exception while in exception) maps to nothing.
function toLifecycleEvent(sample: SampleState, e: CarrierEvent): SampleEvent | undefined {
  const type = LIFECYCLE_EVENT[e.event];
  if (!type || !carrierHolds(sample) || !EVENTS[type].from.includes(sample.status)) return undefined;
  if (EVENTS[type].precondition(sample) !== undefined) return undefined;
  const base = {
    at: e.at,
    actor: { kind: 'carrier' as const, id: sample.shipment?.carrier ?? 'carrier' },
    reason: [`carrier: ${e.event}`, e.location && `at ${e.location}`, e.detail].filter(Boolean).join(', '),
  };
  const detail = e.detail ? { detail: e.detail } : {};
  const location = e.location ? { location: e.location } : {};
  switch (type) {
    case 'mark_in_transit':
      return { ...base, type, data: { ...location, ...detail } };
    case 'deliver':
      // The courier scan is the receipt time; the content clock starts there.
      return {
        ...base,
        type,
        data: { receivedAt: e.at, evidence: 'courier', ...(e.detail ? { note: e.detail } : {}) },
      };
    case 'report_exception':
      return { ...base, type, data: { detail: e.detail ?? 'carrier reported an exception', ...location } };
    case 'return_to_sender':
    case 'mark_lost':
      return { ...base, type, data: detail };
  }
}

function noOpReason(status: SampleStatus, event: CarrierEventType): string {
  if (event === 'label_created') return 'labels are created by us; the carrier echo changes nothing';
  return `carrier "${event}" does not change a sample in state "${status}"`;
}

import { describe, expect, it } from 'vitest';
import {
  CarrierEventSchema,
  applyCarrierEvent,
  carrierEventKey,
  type CarrierEvent,
  type CarrierEventResult,
} from './carrier-event.ts';
import type { SampleState } from './sample-state.ts';
import { day, sampleIn } from './testing.ts';

const TRACKING = 'JD0001';
const carrier = (event: CarrierEvent['event'], at: number, extra: Partial<CarrierEvent> = {}): CarrierEvent => ({
  trackingId: TRACKING,
  event,
  at,
  ...extra,
});

/** Feeds events in order, returning each result and the final state. */
function feed(state: SampleState, ...events: CarrierEvent[]): { results: CarrierEventResult[]; state: SampleState } {
  const results: CarrierEventResult[] = [];
  for (const e of events) {
    const result = applyCarrierEvent(state, e);
    results.push(result);
    state = result.next;
  }
  return { results, state };
}

describe('carrier webhook schema', () => {
  it('parses our documented shape, RFC 3339 time to epoch ms, dropping unknown fields', () => {
    const parsed = CarrierEventSchema.parse({
      trackingId: 'JD0001',
      event: 'delivered',
      at: '2025-03-05T14:02:00+01:00',
      location: 'Lyon',
      detail: 'left at door',
      carrierInternal: 42,
    });
    expect(parsed).toEqual({
      trackingId: 'JD0001',
      event: 'delivered',
      at: Date.UTC(2025, 2, 5, 13, 2),
      location: 'Lyon',
      detail: 'left at door',
    });
  });

  it('refuses a time without offset, an impossible date and an unknown event', () => {
    const base = { trackingId: 'JD0001', event: 'delivered', at: '2025-03-05T14:02:00Z' };
    expect(CarrierEventSchema.safeParse(base).success).toBe(true);
    expect(CarrierEventSchema.safeParse({ ...base, at: '2025-03-05T14:02:00' }).success).toBe(false);
    expect(CarrierEventSchema.safeParse({ ...base, at: '2025-13-45T14:02:00Z' }).success).toBe(false);
    expect(CarrierEventSchema.safeParse({ ...base, event: 'teleported' }).success).toBe(false);
    expect(CarrierEventSchema.safeParse({ ...base, trackingId: '' }).success).toBe(false);
  });

  it('keys each event for the webhook inbox', () => {
    expect(carrierEventKey(carrier('delivered', 1000))).toBe('JD0001:delivered:1000');
  });
});

describe('carrier events drive the lifecycle', () => {
  it('takes a parcel from label to delivered, attributed to the carrier', () => {
    const { results, state } = feed(
      sampleIn('dispatched'),
      carrier('label_created', day(3, 1)),
      carrier('picked_up', day(3, 2), { location: 'Paris' }),
      carrier('in_transit', day(3, 8)),
      carrier('out_for_delivery', day(4, 1)),
      carrier('delivered', day(4, 3), { detail: 'left at door' }),
    );
    expect(results.map((r) => r.effect)).toEqual(['no_op', 'transition', 'no_op', 'no_op', 'transition']);
    expect(state.status).toBe('delivered');
    expect(state.delivery).toEqual({ receivedAt: day(4, 3), evidence: 'courier', note: 'left at door' });
    const moved = results[1];
    expect(moved?.effect === 'transition' && moved.transition).toMatchObject({
      event: 'mark_in_transit',
      actor: { kind: 'carrier', id: 'dhl' },
      reason: 'carrier: picked_up, at Paris',
      data: { location: 'Paris' },
    });
  });

  it('is idempotent: the same event twice gives one transition', () => {
    const delivered = carrier('delivered', day(4, 3));
    const { results } = feed(sampleIn('in_transit'), delivered, delivered);
    expect(results.map((r) => r.effect)).toEqual(['transition', 'stale']);
    const exception = carrier('exception', day(4), { detail: 'address not found' });
    expect(feed(sampleIn('in_transit'), exception, exception).results.map((r) => r.effect)).toEqual([
      'transition',
      'stale',
    ]);
  });

  it('ignores a late, older event: a replayed exception cannot reopen a resolved one', () => {
    const { results, state } = feed(
      sampleIn('in_transit'),
      carrier('exception', day(4), { detail: 'address not found' }),
      carrier('in_transit', day(4, 5)),
      carrier('exception', day(4), { detail: 'address not found' }),
      carrier('in_transit', day(4, 1)),
    );
    expect(results.map((r) => r.effect)).toEqual(['transition', 'transition', 'stale', 'stale']);
    expect(state.status).toBe('in_transit');
    expect(state.exceptions).toHaveLength(1);
  });

  it('a stale event leaves the state exactly as it was', () => {
    const { state } = feed(sampleIn('in_transit'), carrier('delivered', day(5)));
    const late = applyCarrierEvent(state, carrier('in_transit', day(4)));
    expect(late).toMatchObject({ effect: 'stale' });
    expect(late.next).toBe(state);
  });

  it('maps exception, returned and lost onto the exception branches', () => {
    const exception = feed(sampleIn('in_transit'), carrier('exception', day(4))).state;
    expect(exception.status).toBe('delivery_exception');
    expect(exception.exceptions[0]?.detail).toBe('carrier reported an exception');
    expect(feed(exception, carrier('returned', day(6))).state.status).toBe('returned_to_sender');
    expect(feed(exception, carrier('lost', day(6))).state.status).toBe('lost');
    expect(feed(exception, carrier('delivered', day(6))).state.status).toBe('delivered');
    expect(feed(exception, carrier('out_for_delivery', day(6))).state.status).toBe('in_transit');
  });

  it('moves a labelled parcel the warehouse has not confirmed yet', () => {
    expect(feed(sampleIn('label_created'), carrier('picked_up', day(3))).state).toMatchObject({
      status: 'in_transit',
      shippedAt: day(3),
    });
  });

  it('does not let the carrier undo what happened after delivery', () => {
    for (const status of ['delivered', 'content_due', 'posted', 'damaged'] as const) {
      const result = applyCarrierEvent(sampleIn(status), carrier('lost', day(30)));
      expect(result.effect, status).toBe('no_op');
      expect(result.next.status).toBe(status);
      expect(result.next.lastCarrierEvent).toEqual({ event: 'lost', at: day(30) });
    }
    const noOp = applyCarrierEvent(sampleIn('delivered'), carrier('in_transit', day(30)));
    expect(noOp).toMatchObject({
      effect: 'no_op',
      reason: 'carrier "in_transit" does not change a sample in state "delivered"',
    });
  });

  it('refuses an event for another parcel', () => {
    expect(() =>
      applyCarrierEvent(sampleIn('in_transit'), { ...carrier('delivered', day(5)), trackingId: 'OTHER' }),
    ).toThrow(/does not belong to sample/);
    expect(() => applyCarrierEvent(sampleIn('approved'), carrier('delivered', day(5)))).toThrow(/does not belong/);
  });

  it('two different events at the same instant both count', () => {
    const { results } = feed(sampleIn('in_transit'), carrier('exception', day(4)), carrier('returned', day(4)));
    expect(results.map((r) => r.effect)).toEqual(['transition', 'transition']);
  });
});

import { describe, expect, it } from 'vitest';
import { applyCarrierEvent } from './carrier-event.ts';
import { contentDueAt } from './content-clock.ts';
import { EVENTS, EVENT_TYPES, type SampleEvent } from './lifecycle-events.ts';
import { FINAL_STATUSES, InvalidTransitionError, applyEvent, availableEvents } from './lifecycle.ts';
import { SAMPLE_STATUSES, type SampleState } from './sample-state.ts';
import { DAY, HOUR, day, damagedInTransit, exampleEvent, newSample, sampleIn, walk } from './testing.ts';

const tiktok = { postingWindowDays: 14, extensionDays: 7 };
const person = { kind: 'user', id: 'user:fulfil' } as const;

/** The valid events to try on a record: each event's example, by each actor kind it allows, and data variants. */
function candidates(at: number): SampleEvent[] {
  return EVENT_TYPES.flatMap((type) => {
    const base = exampleEvent(type, at);
    const byActor = EVENTS[type].actors.map((kind) => ({ ...base, actor: { kind, id: `${kind}:x` } }) as SampleEvent);
    // A receipt confirmed during a damage review, before any delivery was recorded.
    const withTime = type === 'confirm_receipt' ? [{ ...base, data: { receivedAt: at - HOUR } } as SampleEvent] : [];
    return [...byActor, ...withTime];
  });
}

/** What makes two records behave differently under the lifecycle (times aside). */
const shape = (s: SampleState): string =>
  JSON.stringify([
    s.status,
    !!s.delivery,
    s.contentClock.pausedSince !== undefined,
    s.contentClock.extensionGranted,
    s.receiptConfirmedAt !== undefined,
    s.damageReview?.from ?? null,
    !!s.post,
    !!s.shipment,
  ]);

/** Explores the records reachable from a new sample through `applyEvent` (real states, valid data). */
function explore(maxDepth = 16) {
  const states = new Map<string, SampleState>();
  const edges = new Map<string, Set<string>>();
  let frontier = [newSample()];
  states.set(shape(frontier[0]!), frontier[0]!);
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const next: SampleState[] = [];
    for (const state of frontier) {
      const from = shape(state);
      const out = edges.get(from) ?? new Set<string>();
      edges.set(from, out);
      for (const event of candidates(day(depth))) {
        let result: SampleState;
        try {
          result = applyEvent(state, event).next;
        } catch {
          continue;
        }
        const key = shape(result);
        out.add(key);
        if (!states.has(key)) {
          states.set(key, result);
          next.push(result);
        }
      }
    }
    frontier = next;
  }
  return { states, edges };
}

describe('every journey can be completed', () => {
  const { states, edges } = explore();
  const isFinal = (s: SampleState) => FINAL_STATUSES.includes(s.status);

  it('reaches every status through applyEvent', () => {
    const seen = new Set([...states.values()].map((s) => s.status));
    expect([...seen].sort()).toEqual([...SAMPLE_STATUSES].sort());
  });

  it('from every non-terminal record some sequence of allowed events reaches a terminal state', () => {
    // Backwards from the terminal records over the explored edges.
    const reaches = new Set([...states].filter(([, s]) => isFinal(s)).map(([k]) => k));
    for (let changed = true; changed;) {
      changed = false;
      for (const [from, out] of edges) {
        if (!reaches.has(from) && [...out].some((to) => reaches.has(to))) [changed] = [reaches.add(from) && true];
      }
    }
    const stuck = [...states].filter(([k, s]) => !isFinal(s) && !reaches.has(k)).map(([k]) => k);
    expect(stuck).toEqual([]);
    expect(states.size).toBeGreaterThan(SAMPLE_STATUSES.length);
  });

  it('no terminal state has an outgoing event', () => {
    const finals = [...states.values()].filter(isFinal);
    expect(new Set(finals.map((s) => s.status))).toEqual(new Set(FINAL_STATUSES));
    for (const s of finals) {
      expect(availableEvents(s), s.status).toEqual([]);
      for (const event of candidates(day(30)))
        expect(() => applyEvent(s, event), `${s.status} ${event.type}`).toThrow(InvalidTransitionError);
    }
  });

  it('offers only events the record accepts: every available event applies with valid data', () => {
    for (const s of states.values()) {
      const accepted = new Set(
        candidates(day(30)).flatMap((e) => {
          try {
            applyEvent(s, e);
            return [e.type];
          } catch {
            return [];
          }
        }),
      );
      for (const type of availableEvents(s)) expect(accepted.has(type), `${shape(s)} ${type}`).toBe(true);
    }
  });
});

describe('damage in transit is a review, not a dead end', () => {
  it('the parcel is still delivered, the clock stays paused, and resolving starts it from the real receipt', () => {
    const damaged = damagedInTransit(); // tracker measured damage on day 5, still with the carrier
    expect(damaged).toMatchObject({ status: 'damaged', damageReview: { since: day(5), from: 'in_transit' } });
    const delivered = applyEvent(damaged, {
      type: 'deliver',
      at: day(6),
      actor: { kind: 'carrier', id: 'dhl' },
      data: { receivedAt: day(6), evidence: 'courier' },
    });
    expect(delivered.next).toMatchObject({ status: 'damaged', delivery: { receivedAt: day(6) } });
    expect(delivered.transition).toMatchObject({ event: 'deliver', from: 'damaged', to: 'damaged' });
    expect(contentDueAt(delivered.next, tiktok)).toBeUndefined();
    // The creator confirms receipt meanwhile: still under review.
    const confirmed = applyEvent(delivered.next, {
      type: 'confirm_receipt',
      at: day(6, 3),
      actor: person,
      data: {},
    }).next;
    expect(confirmed).toMatchObject({ status: 'damaged', receiptConfirmedAt: day(6, 3) });

    const resolved = applyEvent(confirmed, {
      type: 'resolve_damage',
      at: day(8),
      actor: person,
      reason: 'usable',
      data: {},
    }).next;
    expect(resolved.status).toBe('content_due');
    expect(resolved.damageReview).toBeUndefined();
    // Paused from the receipt (day 6) to the resolution (day 8); the day in transit does not count.
    expect(resolved.contentClock).toEqual({ extensionGranted: false, pausedMs: 2 * DAY });
    expect(contentDueAt(resolved, tiktok)).toBe(day(6) + 16 * DAY);
    expect(availableEvents(resolved)).toContain('post');
  });

  it('resolved before it arrives: back with the carrier, then delivered as usual with no pause', () => {
    const resolved = applyEvent(damagedInTransit(), {
      type: 'resolve_damage',
      at: day(5, 6),
      actor: person,
      reason: 'within tolerance',
      data: {},
    }).next;
    expect(resolved.status).toBe('in_transit');
    const delivered = walk(resolved, {
      type: 'deliver',
      at: day(7),
      actor: { kind: 'carrier', id: 'dhl' },
      data: { receivedAt: day(7), evidence: 'courier' },
    });
    expect(delivered.status).toBe('delivered');
    expect(contentDueAt(delivered, tiktok)).toBe(day(7) + 14 * DAY);
  });

  it('the carrier webhook records the delivery, return or loss of a damaged parcel it still holds', () => {
    const event = (e: 'delivered' | 'returned' | 'lost' | 'in_transit') => ({
      trackingId: 'JD0001',
      event: e,
      at: day(6),
    });
    const delivered = applyCarrierEvent(damagedInTransit(), event('delivered'));
    expect(delivered).toMatchObject({
      effect: 'transition',
      next: { status: 'damaged', delivery: { receivedAt: day(6), evidence: 'courier' } },
    });
    expect(applyCarrierEvent(damagedInTransit(), event('returned')).next.status).toBe('returned_to_sender');
    expect(applyCarrierEvent(damagedInTransit(), event('lost')).next.status).toBe('lost');
    expect(applyCarrierEvent(damagedInTransit(), event('in_transit')).effect).toBe('no_op');
    // Delivered once: a second delivery (the tracker's box-opened evidence) is refused, the carrier's is a no-op.
    expect(() =>
      walk(delivered.next, {
        type: 'deliver',
        at: day(7),
        actor: { kind: 'tracker', id: 't' },
        data: { receivedAt: day(7), evidence: 'tracker' },
      }),
    ).toThrow(/the delivery is already recorded/);
    expect(applyCarrierEvent(delivered.next, { ...event('delivered'), at: day(7) }).effect).toBe('no_op');
  });

  it('a receipt confirmed before any delivery was recorded needs its time', () => {
    expect(() => walk(damagedInTransit(), { type: 'confirm_receipt', at: day(6), actor: person, data: {} })).toThrow(
      /receivedAt/,
    );
    const confirmed = walk(damagedInTransit(), {
      type: 'confirm_receipt',
      at: day(6),
      actor: person,
      data: { receivedAt: day(5, 20) },
    });
    expect(confirmed).toMatchObject({ status: 'damaged', delivery: { receivedAt: day(5, 20), evidence: 'creator' } });
  });

  it('a write-off closes the send as a loss, for good', () => {
    const off = walk(damagedInTransit(), { type: 'write_off', at: day(6), actor: person, reason: 'melted', data: {} });
    expect(off.status).toBe('written_off');
    expect(availableEvents(off)).toEqual([]);
  });
});

describe('late evidence is appended, never reordered', () => {
  it('damage measured before a delivery already shown opens the review from when it was recorded', () => {
    const delivered = sampleIn('delivered'); // received day 4, recorded day 5
    const recordedAt = day(5, 1);
    const lateDamage = {
      ...exampleEvent('report_damage', day(3, 20)),
      actor: { kind: 'tracker', id: 'trk-001' },
      recordedAt,
    } as SampleEvent;
    const { next, transition } = applyEvent(delivered, lateDamage);
    expect(next.status).toBe('damaged');
    expect(transition).toMatchObject({ event: 'report_damage', at: day(3, 20), recordedAt, late: true });
    // The record moves forward only: the status and the pause start when it was recorded.
    expect(next.statusSince).toBe(recordedAt);
    expect(next.contentClock.pausedSince).toBe(recordedAt);
    // The damage itself keeps its own time.
    expect(next.exceptions.at(-1)).toMatchObject({ kind: 'damaged', at: day(3, 20) });
    const resolved = walk(next, { type: 'resolve_damage', at: day(7, 1), actor: person, reason: 'fine', data: {} });
    // The clock ran from the receipt (day 4) to the recording (day 5 01:00), then paused 2 days.
    expect(contentDueAt(resolved, tiktok)).toBe(day(4) + 14 * DAY + 2 * DAY);
  });

  it('an event in order is not late', () => {
    const { transition } = applyEvent(sampleIn('in_transit'), {
      ...exampleEvent('deliver', day(10)),
      recordedAt: day(10, 1),
    });
    expect(transition.late).toBeUndefined();
    expect(transition.recordedAt).toBe(day(10, 1));
  });
});

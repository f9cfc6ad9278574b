import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { policyDecisionEvent, decideApproval, DEFAULT_APPROVAL_POLICY } from './approval-policy.ts';
import { EVENTS, EVENT_TYPES, targetsOf } from './lifecycle-events.ts';
import {
  FINAL_STATUSES,
  InvalidTransitionError,
  allowedEvents,
  applyEvent,
  requestReship,
  requestSample,
} from './lifecycle.ts';
import { SAMPLE_STATUSES, type SampleState } from './sample-state.ts';
import { day, exampleEvent, manager, newSample, sampleFor, sampleIn, walk } from './testing.ts';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

describe('the transition table', () => {
  const allowed = EVENT_TYPES.flatMap((type) =>
    EVENTS[type].from.map((from) => [from, type, targetsOf(type).join(' | ')] as const),
  );
  const refused = SAMPLE_STATUSES.flatMap((status) =>
    EVENT_TYPES.filter((type) => !EVENTS[type].from.includes(status)).map((type) => [status, type] as const),
  );

  it.each(allowed)('%s --%s--> %s', (from, type, to) => {
    const before = sampleFor(from, type);
    const { next, transition } = applyEvent(before, exampleEvent(type, day(20)));
    expect(to.split(' | ')).toContain(next.status);
    // Staying in a status (a delivery during a damage review) does not re-enter it.
    expect(next.statusSince).toBe(next.status === from ? before.statusSince : day(20));
    expect(transition).toMatchObject({ event: type, from, to: next.status, at: day(20), reason: `test ${type}` });
  });

  it.each(refused)('refuses from %s: %s', (status, type) => {
    const err = thrown(() => applyEvent(sampleIn(status), exampleEvent(type, day(20))));
    expect(err).toBeInstanceOf(InvalidTransitionError);
    const e = err as InvalidTransitionError;
    expect(e.code).toBe('INVALID_TRANSITION');
    expect(e.details).toEqual({ current: status, event: type, allowed: allowedEvents(status) });
    expect(e.message).toContain(`"${status}"`);
    expect(e.message).toContain(`"${type}"`);
    for (const option of allowedEvents(status)) expect(e.message).toContain(option);
  });

  it('names the allowed events in the message', () => {
    const err = thrown(() => applyEvent(newSample(), exampleEvent('dispatch', day(1))));
    expect((err as Error).message).toBe(
      'cannot apply "dispatch" to a sample in state "requested"; allowed events: approve, reject, cancel',
    );
  });

  it('final states allow nothing and say so', () => {
    for (const status of FINAL_STATUSES) expect(allowedEvents(status)).toEqual([]);
    const err = thrown(() => applyEvent(sampleIn('reshipped'), exampleEvent('post', day(20))));
    expect((err as Error).message).toContain('allowed events: none (final state)');
  });

  it('every status is reachable and every non-final one can be left', () => {
    const targets = new Set(EVENT_TYPES.flatMap((t) => targetsOf(t)));
    for (const status of SAMPLE_STATUSES) {
      if (status !== 'requested') expect(targets.has(status), status).toBe(true);
      if (!FINAL_STATUSES.includes(status)) expect(allowedEvents(status).length, status).toBeGreaterThan(0);
    }
  });
});

describe('the happy path', () => {
  it('records every stage, timestamped and attributed', () => {
    const { state: requested, transition: first } = requestSample({
      id: 'SMP-25-000007',
      at: day(0),
      actor: manager,
      request: {
        creatorId: 'creator:ana',
        campaignId: 'spring',
        skuId: 'serum-30ml',
        variant: 'rose',
        source: 'tiktok_affiliate',
        requestedBy: 'user:maya',
      },
    });
    expect(first).toMatchObject({ event: 'request', from: null, to: 'requested', at: day(0) });
    expect(requested.request.quantity).toBe(1);

    const decision = decideApproval(
      { quantity: 1, requestedAt: day(0) },
      {
        creator: { standing: 'active' },
        sku: { unitCostCents: 1200, limited: false, onHand: 40 },
        sentToCreatorInPeriod: 0,
      },
      DEFAULT_APPROVAL_POLICY,
    );
    const approval = policyDecisionEvent(decision, day(0, 1));
    if (!approval) throw new Error('expected an auto-approval');

    const history = [first];
    let state = requested;
    const step = (event: Parameters<typeof applyEvent>[1]) => {
      const { next, transition } = applyEvent(state, event);
      history.push(transition);
      state = next;
    };
    const ops = { kind: 'user', id: 'user:olu' } as const;
    const dhl = { kind: 'carrier', id: 'dhl' } as const;
    step(approval);
    const label = { carrier: 'dhl', serviceLevel: 'express', trackingId: 'JD1', trackerId: 'trk-7' };
    const packedItems = [{ skuId: 'serum-30ml', variant: 'rose', quantity: 1 }];
    step({ type: 'create_label', at: day(1), actor: ops, data: label });
    step({ type: 'dispatch', at: day(2), actor: ops, data: { packedItems, warehouseConfirmation: 'WH-9' } });
    step({ type: 'mark_in_transit', at: day(2, 6), actor: dhl, data: { location: 'Paris' } });
    step({ type: 'deliver', at: day(4, 2), actor: dhl, data: { receivedAt: day(4), evidence: 'courier' } });
    step({ type: 'confirm_receipt', at: day(5), actor: manager, data: {} });
    const postUrl = 'https://www.tiktok.com/@ana/video/9';
    step({ type: 'post', at: day(10), actor: manager, data: { postUrl, publishedAt: day(9), usableForAds: true } });
    step({
      type: 'record_outcome',
      at: day(40),
      actor: manager,
      data: { orders: 4, gmvCents: 12000, classification: 'converted' },
    });

    expect(state.status).toBe('outcome_recorded');
    expect(history.map((t) => t.to)).toEqual([
      'requested',
      'approved',
      'label_created',
      'dispatched',
      'in_transit',
      'delivered',
      'content_due',
      'posted',
      'outcome_recorded',
    ]);
    expect(history.every((t, i) => i === 0 || t.from === history[i - 1]?.to)).toBe(true);
    expect(state.approval).toEqual({
      decision: 'approved',
      rule: 'auto_approve_low_risk',
      reasons: decision.reasons,
      decidedBy: { kind: 'policy', id: 'policy:auto_approve_low_risk' },
    });
    expect(state.shipment).toEqual({ carrier: 'dhl', serviceLevel: 'express', trackingId: 'JD1', trackerId: 'trk-7' });
    expect(state.dispatch?.warehouseConfirmation).toBe('WH-9');
    expect(state.shippedAt).toBe(day(2));
    expect(state.delivery).toEqual({ receivedAt: day(4), evidence: 'courier' });
    expect(state.post).toMatchObject({ publishedAt: day(9), usableForAds: true });
    expect(state.outcome).toEqual({ orders: 4, gmvCents: 12000, classification: 'converted' });
    expect(state.firstEnteredAt).toMatchObject({
      requested: day(0),
      approved: day(0, 1),
      delivered: day(4, 2),
      posted: day(10),
    });
    expect(history[4]?.actor).toEqual(dhl);
  });
});

describe('refusals beyond the table', () => {
  it('refuses an actor kind that may not cause the event', () => {
    const dhl = { kind: 'carrier', id: 'dhl' } as const;
    const err = thrown(() =>
      applyEvent(newSample(), { type: 'approve', at: day(1), actor: dhl, data: { rule: 'x', reasons: ['y'] } }),
    );
    expect(err).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'a carrier may not "approve"; only: user, policy',
    });
  });

  it('requires a reason for judgement calls', () => {
    const err = thrown(() =>
      applyEvent(newSample(), { type: 'cancel', at: day(1), actor: manager, reason: '  ', data: {} }),
    );
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: '"cancel" needs a reason' });
  });

  it('validates event data and names the bad fields', () => {
    const err = thrown(() =>
      applyEvent(sampleIn('approved'), {
        type: 'create_label',
        at: day(2),
        actor: manager,
        data: { carrier: 'dhl', serviceLevel: '', trackingId: 'J' },
      }),
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('VALIDATION_FAILED');
    expect((err as DomainError).message).toContain('serviceLevel');
  });

  it('keeps outcome classification consistent with orders', () => {
    const posted = sampleIn('posted');
    const outcome =
      (orders: number, gmvCents: number, classification: 'converted' | 'content_only' | 'no_result') => () =>
        applyEvent(posted, {
          type: 'record_outcome',
          at: day(30),
          actor: manager,
          data: { orders, gmvCents, classification },
        });
    expect(thrown(outcome(0, 0, 'converted'))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(thrown(outcome(2, 500, 'content_only'))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(thrown(outcome(0, 500, 'no_result'))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(outcome(0, 0, 'content_only')().next.outcome?.classification).toBe('content_only');
  });

  it('refuses a time that is not epoch milliseconds', () => {
    expect(thrown(() => applyEvent(newSample(), { ...exampleEvent('approve', 1.5) }))).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('grants the one extension only once, naming the state', () => {
    const extended = applyEvent(sampleIn('content_due'), exampleEvent('grant_extension', day(10))).next;
    expect(extended.contentClock.extensionGranted).toBe(true);
    const err = thrown(() => applyEvent(extended, exampleEvent('grant_extension', day(11))));
    expect(err).toBeInstanceOf(InvalidTransitionError);
    expect((err as Error).message).toContain('"content_due": the one extension was already granted');
  });

  it('validates the request', () => {
    const request = {
      creatorId: 'c',
      campaignId: 'k',
      skuId: 's',
      quantity: 0,
      source: 'form',
      requestedBy: 'u',
    } as const;
    const bad = () => requestSample({ id: 'S', at: 0, actor: manager, request });
    expect(thrown(bad)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('exception journeys', () => {
  it('damaged → reship: a new sample with its own approval, linked both ways', () => {
    const damaged = sampleIn('damaged');
    expect(damaged.exceptions.at(-1)).toMatchObject({
      kind: 'damaged',
      suspectedCause: 'transit',
      photoUrls: ['https://img.example/1.jpg'],
    });

    const fulfil = { kind: 'user', id: 'user:fulfil' } as const;
    const { state: reship, transition } = requestReship(damaged, { id: 'SMP-25-000002', at: day(8), actor: fulfil });
    expect(reship.status).toBe('requested');
    expect(reship.request).toMatchObject({
      reshipOf: damaged.id,
      skuId: damaged.request.skuId,
      creatorId: damaged.request.creatorId,
      requestedBy: 'user:fulfil',
    });
    expect(transition.data).toMatchObject({ reshipOf: damaged.id });

    // Its own approval: the policy sends reships to a named approver.
    const decision = decideApproval(
      { quantity: 1, requestedAt: day(8), reshipOf: damaged.id },
      {
        creator: { standing: 'active' },
        sku: { unitCostCents: 1200, limited: false, onHand: 5 },
        sentToCreatorInPeriod: 3,
        lastSendOfSameSku: day(0),
      },
      DEFAULT_APPROVAL_POLICY,
    );
    expect(decision).toMatchObject({ decision: 'needs_approver', rule: 'reship' });
    const approvalData = { rule: 'named_approver', reasons: ['cap cracked in transit'] };
    const approved = applyEvent(reship, { type: 'approve', at: day(8, 2), actor: fulfil, data: approvalData }).next;
    expect(approved.approval?.decidedBy).toEqual(fulfil);

    const link = { reshipSampleId: reship.id };
    const closed = applyEvent(damaged, {
      type: 'reship',
      at: day(8, 2),
      actor: fulfil,
      reason: 'reship approved',
      data: link,
    }).next;
    expect(closed).toMatchObject({ status: 'reshipped', reshippedAs: 'SMP-25-000002' });
  });

  it('only a damaged, lost or returned sample can be reshipped, and not as itself', () => {
    const early = () => requestReship(sampleIn('in_transit'), { id: 'X', at: day(9), actor: manager });
    expect(thrown(early)).toMatchObject({ code: 'INVALID_TRANSITION' });
    for (const status of ['lost', 'returned_to_sender'] as const) {
      expect(requestReship(sampleIn(status), { id: 'X', at: day(9), actor: manager }).state.request.reshipOf).toBe(
        'SMP-25-000001',
      );
    }
    const self = () =>
      applyEvent(sampleIn('lost'), {
        type: 'reship',
        at: day(9),
        actor: manager,
        reason: 'x',
        data: { reshipSampleId: 'SMP-25-000001' },
      });
    expect((thrown(self) as Error).message).toContain('a sample cannot be its own reship');
  });

  it('a delivery exception resolves back to in transit or ends returned or lost', () => {
    const exception = sampleIn('delivery_exception');
    expect(allowedEvents('delivery_exception')).toEqual([
      'mark_in_transit',
      'return_to_sender',
      'mark_lost',
      'deliver',
      'report_damage',
      'write_off',
    ]);
    const resumed = applyEvent(exception, exampleEvent('mark_in_transit', day(7))).next;
    const again = applyEvent(resumed, exampleEvent('report_exception', day(8))).next;
    expect(again.exceptions.map((e) => e.kind)).toEqual(['delivery_exception', 'delivery_exception']);
    expect(again.firstEnteredAt.delivery_exception).toBe(day(5));
    expect(again.statusSince).toBe(day(8));
  });

  it('"never arrived" although the carrier said delivered: delivered → lost', () => {
    const reason = 'tracker never reached the address';
    const lost = applyEvent(sampleIn('delivered'), {
      type: 'mark_lost',
      at: day(7),
      actor: manager,
      reason,
      data: {},
    }).next;
    expect(lost.status).toBe('lost');
    expect(lost.exceptions.at(-1)).toMatchObject({ kind: 'lost', at: day(7) });
  });

  it('a carrier scan before the warehouse confirmation still ships the sample', () => {
    const moving = applyEvent(sampleIn('label_created'), exampleEvent('mark_in_transit', day(3))).next;
    expect(moving).toMatchObject({ status: 'in_transit', shippedAt: day(3) });
    expect(moving.dispatch).toBeUndefined();
  });

  it('a late post after no_post is recorded', () => {
    const late = applyEvent(sampleIn('no_post'), exampleEvent('post', day(30))).next;
    expect(late.status).toBe('posted');
    expect(late.firstEnteredAt.no_post).toBe(day(7));
  });

  it('does not mutate the state it was given', () => {
    const before: SampleState = sampleIn('content_due');
    const snapshot = structuredClone(before);
    walk(before, exampleEvent('report_damage', day(9)), exampleEvent('resolve_damage', day(10)));
    expect(before).toEqual(snapshot);
  });
});

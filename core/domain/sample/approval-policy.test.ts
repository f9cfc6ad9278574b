import { describe, expect, it } from 'vitest';
import {
  ApprovalPolicySchema,
  DEFAULT_APPROVAL_POLICY,
  decideApproval,
  policyDecisionEvent,
  type ApprovalFacts,
  type ApprovalRequest,
} from './approval-policy.ts';
import { applyEvent } from './lifecycle.ts';
import { DAY, T0, newSample } from './testing.ts';

const request: ApprovalRequest = { quantity: 1, requestedAt: T0 };
const lowRisk: ApprovalFacts = {
  creator: { standing: 'active' },
  sku: { unitCostCents: 1200, limited: false, onHand: 50 },
  sentToCreatorInPeriod: 1,
};
const decide = (facts: Partial<ApprovalFacts>, req: Partial<ApprovalRequest> = {}) =>
  decideApproval({ ...request, ...req }, { ...lowRisk, ...facts }, DEFAULT_APPROVAL_POLICY);

describe('approval policy', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_APPROVAL_POLICY).toEqual({
      autoApproveUnitCostUnderCents: 5000,
      maxSendsPerCreatorPerPeriod: 3,
      duplicateSkuWindowDays: 90,
      reshipNeedsApprover: true,
      defaultApprovalLimitCents: 25_000,
      forbidSelfApproval: true,
    });
    expect(ApprovalPolicySchema.safeParse({ maxSendsPerCreatorPerPeriod: 0 }).success).toBe(false);
  });

  it('auto-approves a low-value send to a creator in good standing, saying why', () => {
    expect(decide({})).toEqual({
      decision: 'approved',
      rule: 'auto_approve_low_risk',
      reasons: ['unit cost 12.00 under 50.00', 'creator in good standing (active)', '50 on hand'],
      decidedBy: 'policy:auto_approve_low_risk',
    });
  });

  it('sends an expensive SKU to a named approver (threshold is exclusive)', () => {
    expect(decide({ sku: { unitCostCents: 4999, limited: false, onHand: 5 } }).decision).toBe('approved');
    expect(decide({ sku: { unitCostCents: 5000, limited: false, onHand: 5 } })).toMatchObject({
      decision: 'needs_approver',
      rule: 'expensive_sku',
      reasons: ['unit cost 50.00 is not under 50.00'],
      decidedBy: 'policy:expensive_sku',
    });
  });

  it('sends a limited SKU, or a creator on watch, to a named approver', () => {
    const limited = decide({ sku: { unitCostCents: 100, limited: true, onHand: 5 } });
    expect(limited).toMatchObject({ decision: 'needs_approver', rule: 'limited_sku' });
    expect(decide({ creator: { standing: 'watch' } })).toMatchObject({
      decision: 'needs_approver',
      rule: 'creator_on_watch',
    });
  });

  it('lists every reason for review, the first one deciding', () => {
    const d = decide({ creator: { standing: 'watch' }, sku: { unitCostCents: 9000, limited: true, onHand: 5 } });
    expect(d.rule).toBe('expensive_sku');
    expect(d.reasons).toHaveLength(3);
  });

  it('refuses once the per-creator limit of the campaign period is reached', () => {
    expect(decide({ sentToCreatorInPeriod: 2 }).decision).toBe('approved');
    expect(decide({ sentToCreatorInPeriod: 3 })).toMatchObject({
      decision: 'rejected',
      rule: 'creator_period_limit',
      reasons: ['creator already has 3 of 3 sends this campaign period'],
    });
  });

  it('refuses the same SKU to the same creator within the window', () => {
    expect(decide({ lastSendOfSameSku: T0 - 89 * DAY })).toMatchObject({
      decision: 'rejected',
      rule: 'duplicate_send',
    });
    expect(decide({ lastSendOfSameSku: T0 - 90 * DAY }).decision).toBe('approved');
  });

  it('refuses out of stock', () => {
    expect(decide({ sku: { unitCostCents: 100, limited: false, onHand: 1 } }, { quantity: 2 })).toMatchObject({
      decision: 'rejected',
      rule: 'out_of_stock',
      reasons: ['1 on hand, 2 requested'],
    });
  });

  it('refuses a restricted creator', () => {
    expect(decide({ creator: { standing: 'restricted' } })).toEqual({
      decision: 'rejected',
      rule: 'restricted_creator',
      reasons: ['creator is restricted from future sends'],
      decidedBy: 'policy:restricted_creator',
    });
  });

  it('an override lifts the restriction, is recorded, and still needs a named approver', () => {
    const override = { by: 'user:lea', reason: 'posted late but converted well' };
    const d = decide({ creator: { standing: 'restricted' }, override });
    expect(d).toEqual({
      decision: 'needs_approver',
      rule: 'restricted_override',
      reasons: ['creator is restricted; overridden by user:lea: posted late but converted well'],
      decidedBy: 'policy:restricted_override',
      override,
    });
    // An override does not lift other refusals, and is kept on the refusal.
    expect(decide({ creator: { standing: 'restricted' }, override, sentToCreatorInPeriod: 3 })).toMatchObject({
      decision: 'rejected',
      rule: 'creator_period_limit',
      override,
    });
  });

  it('ignores an override that is not needed', () => {
    expect(decide({ override: { by: 'user:lea', reason: 'x' } })).not.toHaveProperty('override');
  });

  it('refusals win over reviews, in a fixed order, all reasons listed', () => {
    const d = decide({
      creator: { standing: 'restricted' },
      sku: { unitCostCents: 9000, limited: true, onHand: 0 },
      sentToCreatorInPeriod: 5,
      lastSendOfSameSku: T0 - DAY,
    });
    expect(d.decision).toBe('rejected');
    expect(d.rule).toBe('restricted_creator');
    expect(d.reasons).toHaveLength(4);
  });

  it('a reship is neither a duplicate nor another send in the period, but needs an approver', () => {
    const reship = decide({ sentToCreatorInPeriod: 3, lastSendOfSameSku: T0 - DAY }, { reshipOf: 'SMP-25-000001' });
    expect(reship).toMatchObject({ decision: 'needs_approver', rule: 'reship', reasons: ['reship of SMP-25-000001'] });
    const lenient = ApprovalPolicySchema.parse({ reshipNeedsApprover: false });
    expect(decideApproval({ ...request, reshipOf: 'SMP-25-000001' }, lowRisk, lenient).decision).toBe('approved');
  });

  it('turns a policy decision into the lifecycle event that records it', () => {
    const rejected = decide({ creator: { standing: 'restricted' } });
    const event = policyDecisionEvent(rejected, T0 + 1000);
    expect(event).toEqual({
      type: 'reject',
      at: T0 + 1000,
      actor: { kind: 'policy', id: 'policy:restricted_creator' },
      data: { rule: 'restricted_creator', reasons: ['creator is restricted from future sends'] },
    });
    if (!event) throw new Error('expected an event');
    const next = applyEvent(newSample(), event).next;
    expect(next.approval).toMatchObject({ decision: 'rejected', rule: 'restricted_creator' });
    expect(policyDecisionEvent(decide({ creator: { standing: 'watch' } }), T0)).toBeUndefined();
  });
});

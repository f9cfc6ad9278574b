import { z } from 'zod';
import { DAY_MS } from './content-clock.ts';
import type { SampleEvent } from './lifecycle-events.ts';

/**
 * The approval policy: light for low-risk sends, strict for expensive or limited ones.
 * `decideApproval` is the policy's whole judgement; it never approves what a rule
 * refuses, and it names the rule that decided and every reason, so the decision can be
 * stored on the `approve` / `reject` transition as is.
 */

export const ApprovalPolicySchema = z.object({
  /** A unit cost strictly under this (cents) is low-risk and may be auto-approved. */
  autoApproveUnitCostUnderCents: z.number().int().nonnegative().default(5000),
  /** Approved sends per creator per campaign period (reships excluded). */
  maxSendsPerCreatorPerPeriod: z.number().int().positive().default(3),
  /** The same SKU to the same creator again within this many days is a duplicate. */
  duplicateSkuWindowDays: z.number().int().nonnegative().max(3650).default(90),
  /** Fulfilment approves reships (domain brief); turn off to let cheap reships auto-approve. */
  reshipNeedsApprover: z.boolean().default(true),
  /**
   * What a person (not an admin) may approve, in product cost of the send, when an admin
   * has set no limit of their own (approval-authority.ts).
   */
  defaultApprovalLimitCents: z.number().int().nonnegative().default(25_000),
  /** Four eyes: a person may not approve their own request above the auto-approval line. */
  forbidSelfApproval: z.boolean().default(true),
});
export type ApprovalPolicy = z.output<typeof ApprovalPolicySchema>;
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = ApprovalPolicySchema.parse({});

export type CreatorStanding = 'active' | 'watch' | 'restricted';

export interface ApprovalRequest {
  quantity: number;
  requestedAt: number;
  /** A reship replaces a failed send: not a duplicate and not another send in the period. */
  reshipOf?: string;
}

/** What the service looks up before deciding. */
export interface ApprovalFacts {
  creator: { standing: CreatorStanding };
  sku: { unitCostCents: number; limited: boolean; onHand: number };
  /** Approved sends to this creator in the current campaign period, this one and reships excluded. */
  sentToCreatorInPeriod: number;
  /** Request time of the newest other approved (not rejected/cancelled) send of this SKU to this creator. */
  lastSendOfSameSku?: number;
  /** A named person lifting the restricted-creator refusal; recorded on the decision. */
  override?: { by: string; reason: string };
}

export type ApprovalRule =
  | 'auto_approve_low_risk'
  | 'restricted_creator'
  | 'out_of_stock'
  | 'creator_period_limit'
  | 'duplicate_send'
  | 'restricted_override'
  | 'expensive_sku'
  | 'limited_sku'
  | 'creator_on_watch'
  | 'reship';

export interface ApprovalDecision {
  decision: 'approved' | 'rejected' | 'needs_approver';
  /** The rule that decided: the first refusal, else the first reason for review, else auto-approval. */
  rule: ApprovalRule;
  reasons: string[];
  decidedBy: `policy:${ApprovalRule}`;
  /** Present when an override was used. */
  override?: { by: string; reason: string };
}

interface Finding {
  rule: ApprovalRule;
  reason: string;
}

const cents = (c: number) => (c / 100).toFixed(2);

/**
 * Refusals (in this order) win over reviews: restricted creator without override, out
 * of stock, period limit reached, duplicate within the window. Then a named approver is
 * needed for: an overridden restriction, an expensive SKU, a limited SKU, a creator on
 * watch, a reship. Otherwise the send is low-risk and approved by the policy.
 */
export function decideApproval(
  request: ApprovalRequest,
  facts: ApprovalFacts,
  policy: ApprovalPolicy,
): ApprovalDecision {
  const refusals: Finding[] = [];
  const reviews: Finding[] = [];
  const isReship = request.reshipOf !== undefined;
  const { creator, sku } = facts;

  const override = creator.standing === 'restricted' ? facts.override : undefined;
  if (creator.standing === 'restricted' && !override) {
    refusals.push({ rule: 'restricted_creator', reason: 'creator is restricted from future sends' });
  }
  if (sku.onHand < request.quantity) {
    refusals.push({ rule: 'out_of_stock', reason: `${sku.onHand} on hand, ${request.quantity} requested` });
  }
  if (!isReship && facts.sentToCreatorInPeriod >= policy.maxSendsPerCreatorPerPeriod) {
    refusals.push({
      rule: 'creator_period_limit',
      reason:
        `creator already has ${facts.sentToCreatorInPeriod} of ${policy.maxSendsPerCreatorPerPeriod}` +
        ' sends this campaign period',
    });
  }
  const windowMs = policy.duplicateSkuWindowDays * DAY_MS;
  if (!isReship && facts.lastSendOfSameSku !== undefined && request.requestedAt - facts.lastSendOfSameSku < windowMs) {
    refusals.push({
      rule: 'duplicate_send',
      reason:
        `same SKU sent to this creator on ${new Date(facts.lastSendOfSameSku).toISOString()},` +
        ` within ${policy.duplicateSkuWindowDays} days`,
    });
  }

  if (override) {
    const reason = `creator is restricted; overridden by ${override.by}: ${override.reason}`;
    reviews.push({ rule: 'restricted_override', reason });
  }
  if (sku.unitCostCents >= policy.autoApproveUnitCostUnderCents) {
    reviews.push({
      rule: 'expensive_sku',
      reason: `unit cost ${cents(sku.unitCostCents)} is not under ${cents(policy.autoApproveUnitCostUnderCents)}`,
    });
  }
  if (sku.limited) reviews.push({ rule: 'limited_sku', reason: 'SKU is limited' });
  if (creator.standing === 'watch') {
    reviews.push({ rule: 'creator_on_watch', reason: 'creator is on watch (reduced priority)' });
  }
  if (isReship && policy.reshipNeedsApprover) reviews.push({ rule: 'reship', reason: `reship of ${request.reshipOf}` });

  const withOverride = override ? { override } : {};
  const [refusal] = refusals;
  if (refusal) return decision('rejected', refusal.rule, refusals, withOverride);
  const [review] = reviews;
  if (review) return decision('needs_approver', review.rule, reviews, withOverride);
  const why = [
    `unit cost ${cents(sku.unitCostCents)} under ${cents(policy.autoApproveUnitCostUnderCents)}`,
    `creator in good standing (${creator.standing})`,
    `${sku.onHand} on hand`,
  ];
  const rule = 'auto_approve_low_risk';
  return decision(
    'approved',
    rule,
    why.map((reason) => ({ rule, reason })),
    withOverride,
  );
}

function decision(
  outcome: ApprovalDecision['decision'],
  rule: ApprovalRule,
  findings: Finding[],
  extra: Pick<ApprovalDecision, 'override'>,
): ApprovalDecision {
  return { decision: outcome, rule, reasons: findings.map((f) => f.reason), decidedBy: `policy:${rule}`, ...extra };
}

/**
 * The lifecycle event that records a policy decision, attributed to the rule. None for
 * `needs_approver`: a named person then applies `approve` or `reject` as a `user`.
 */
export function policyDecisionEvent(d: ApprovalDecision, at: number): SampleEvent | undefined {
  if (d.decision === 'needs_approver') return undefined;
  return {
    type: d.decision === 'approved' ? 'approve' : 'reject',
    at,
    actor: { kind: 'policy', id: d.decidedBy },
    data: { rule: d.rule, reasons: d.reasons, ...(d.override ? { override: d.override } : {}) },
  };
}

import type { PersonRole } from '../auth/roles.ts';
import type { ApprovalPolicy } from './approval-policy.ts';

/**
 * Who may approve a send the policy left for a person. Approval spends product and
 * inventory, so it needs authority the server checks, not a button the UI hides:
 * - an admin may approve any amount; any other person up to their own limit (set by an
 *   admin), or the policy's default limit when none was set;
 * - nobody approves their own request above the auto-approval line (four eyes);
 * - a viewer never decides.
 * Rejecting spends nothing, so any person who may decide may reject.
 */
export interface Approver {
  /** The principal's email: what a request's `requestedBy` holds. */
  id: string;
  role: PersonRole;
  /** Null: the policy's default limit applies. Ignored for admins. */
  approvalLimitCents: number | null;
}

export interface ApprovalAsk {
  decision: 'approve' | 'reject';
  /** Product cost of the whole send (unit cost × quantity). */
  productCostCents: number;
  unitCostCents: number;
  requestedBy: string;
}

export type ApproverRule = 'not_an_approver' | 'approval_limit' | 'self_approval';

export type ApproverVerdict =
  { ok: true; limitCents: number | null } | { ok: false; rule: ApproverRule; reason: string };

const dollars = (c: number) => `$${(c / 100).toFixed(2)}`;

/** The limit in force for a person; null means no limit (admin). */
export function approvalLimitOf(approver: Approver, policy: ApprovalPolicy): number | null {
  if (approver.role === 'admin') return null;
  if (approver.role === 'viewer') return 0;
  return approver.approvalLimitCents ?? policy.defaultApprovalLimitCents;
}

export function mayDecide(approver: Approver, ask: ApprovalAsk, policy: ApprovalPolicy): ApproverVerdict {
  if (approver.role === 'viewer') {
    return { ok: false, rule: 'not_an_approver', reason: 'a viewer may not approve or reject sends' };
  }
  const limitCents = approvalLimitOf(approver, policy);
  if (ask.decision === 'reject') return { ok: true, limitCents };
  if (limitCents !== null && ask.productCostCents > limitCents) {
    return {
      ok: false,
      rule: 'approval_limit',
      reason:
        `product cost ${dollars(ask.productCostCents)} is above your approval limit ${dollars(limitCents)};` +
        ' an approver with a higher limit or an admin must decide',
    };
  }
  const selfApprovalOk = !policy.forbidSelfApproval || ask.unitCostCents < policy.autoApproveUnitCostUnderCents;
  if (ask.requestedBy.toLowerCase() === approver.id.toLowerCase() && !selfApprovalOk) {
    return {
      ok: false,
      rule: 'self_approval',
      reason:
        `you requested this send and its unit cost ${dollars(ask.unitCostCents)} is not under the` +
        ` auto-approval line ${dollars(policy.autoApproveUnitCostUnderCents)}; another approver must decide`,
    };
  }
  return { ok: true, limitCents };
}

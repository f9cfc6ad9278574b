import { describe, expect, it } from 'vitest';
import { mayDecide, type ApprovalAsk, type Approver } from './approval-authority.ts';
import { ApprovalPolicySchema } from './approval-policy.ts';

const policy = ApprovalPolicySchema.parse({ autoApproveUnitCostUnderCents: 5000, defaultApprovalLimitCents: 25_000 });
const ops = (over: Partial<Approver> = {}): Approver => ({
  id: 'ops@brand.test',
  role: 'ops',
  approvalLimitCents: null,
  ...over,
});
const ask = (over: Partial<ApprovalAsk> = {}): ApprovalAsk => ({
  decision: 'approve',
  productCostCents: 12_000,
  unitCostCents: 12_000,
  requestedBy: 'requester@brand.test',
  ...over,
});

describe('approval authority', () => {
  it('lets a person approve up to the default limit when no limit of their own is set', () => {
    expect(mayDecide(ops(), ask({ productCostCents: 25_000 }), policy)).toEqual({ ok: true, limitCents: 25_000 });
    const over = mayDecide(ops(), ask({ productCostCents: 25_001 }), policy);
    expect(over).toMatchObject({ ok: false, rule: 'approval_limit' });
    if (!over.ok) expect(over.reason).toContain('$250.00');
  });

  it("uses the person's own limit over the default, higher or lower", () => {
    expect(mayDecide(ops({ approvalLimitCents: 100_000 }), ask({ productCostCents: 90_000 }), policy).ok).toBe(true);
    expect(mayDecide(ops({ approvalLimitCents: 0 }), ask({ productCostCents: 100 }), policy)).toMatchObject({
      ok: false,
      rule: 'approval_limit',
    });
  });

  it('gives an admin no limit', () => {
    expect(
      mayDecide(ops({ role: 'admin', approvalLimitCents: 0 }), ask({ productCostCents: 10_000_000 }), policy),
    ).toEqual({
      ok: true,
      limitCents: null,
    });
  });

  it('refuses approving your own request above the auto-approval line, admins included', () => {
    for (const role of ['ops', 'admin'] as const) {
      const verdict = mayDecide(ops({ role, id: 'Requester@brand.test' }), ask(), policy);
      expect(verdict).toMatchObject({ ok: false, rule: 'self_approval' });
    }
  });

  it('allows approving your own request under the auto-approval line (left for review for another reason)', () => {
    const cheap = ask({ unitCostCents: 4_999, productCostCents: 4_999, requestedBy: 'ops@brand.test' });
    expect(mayDecide(ops(), cheap, policy).ok).toBe(true);
  });

  it('allows self-approval when the policy turns the four-eyes rule off', () => {
    const lenient = ApprovalPolicySchema.parse({ forbidSelfApproval: false });
    expect(mayDecide(ops(), ask({ requestedBy: 'ops@brand.test' }), lenient).ok).toBe(true);
  });

  it('lets any approver reject whatever it costs, their own request too', () => {
    const big = ask({ decision: 'reject', productCostCents: 10_000_000, requestedBy: 'ops@brand.test' });
    expect(mayDecide(ops({ approvalLimitCents: 0 }), big, policy).ok).toBe(true);
  });

  it('never lets a viewer decide', () => {
    for (const decision of ['approve', 'reject'] as const) {
      expect(mayDecide(ops({ role: 'viewer' }), ask({ decision, productCostCents: 1 }), policy)).toMatchObject({
        ok: false,
        rule: 'not_an_approver',
      });
    }
  });
});

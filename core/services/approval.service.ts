import type { AuditActor } from '../domain/auth/principal.ts';
import { mayDecide, approvalLimitOf, type Approver } from '../domain/sample/approval-authority.ts';
import type { Pool } from '../storage/database.ts';
import { ApprovalRepository, type PendingApprovalRow } from '../storage/repositories/approval.repository.ts';
import { UserRepository } from '../storage/repositories/user.repository.ts';
import type { PolicySource } from './policy.service.ts';
import type { ServiceDeps } from './deps.ts';

export interface PendingApproval extends PendingApprovalRow {
  /** Whether the caller may approve this one, and why not. */
  mayApprove: boolean;
  whyNot: string | null;
}

export interface ApprovalQueue {
  approvals: PendingApproval[];
  total: number;
  /** The caller's limit in product cost of one send; null: none (admin). */
  limitCents: number | null;
}

/**
 * The approvals queue: what the policy left for a person, with the context an approver
 * needs, and for each whether the caller holds the authority. The check itself is the
 * lifecycle's (SampleLifecycleService.checkAuthority); this only says it in advance.
 */
export class ApprovalService {
  private readonly pool: Pool;
  private readonly policy: PolicySource;

  constructor({ pool, policy }: ServiceDeps & { policy: PolicySource }) {
    this.pool = pool;
    this.policy = policy;
  }

  async queue(by: AuditActor, page: { limit: number; offset: number }): Promise<ApprovalQueue> {
    const [{ rows, total }, { approval }, user] = await Promise.all([
      new ApprovalRepository(this.pool).pending(page),
      this.policy.inForce(),
      by.person ? new UserRepository(this.pool).get(by.person.userId) : undefined,
    ]);
    const role = !by.person || by.person.role === 'integration' ? 'viewer' : by.person.role;
    const approver: Approver = {
      id: by.person?.email ?? '',
      role,
      approvalLimitCents: user?.approvalLimitCents ?? null,
    };
    return {
      approvals: rows.map((row) => {
        const verdict = mayDecide(
          approver,
          {
            decision: 'approve',
            productCostCents: row.productCostCents,
            unitCostCents: row.unitCostCents,
            requestedBy: row.requestedBy ?? '',
          },
          approval,
        );
        return { ...row, mayApprove: verdict.ok, whyNot: verdict.ok ? null : verdict.reason };
      }),
      total,
      limitCents: approvalLimitOf(approver, approval),
    };
  }
}

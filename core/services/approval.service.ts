import type { AuditActor } from '../domain/auth/principal.ts';
import { mayDecide, approvalLimitOf, type Approver } from '../domain/sample/approval-authority.ts';
import type { Pool } from '../storage/database.ts';
import type { Sql } from '../storage/sql.ts';
import { ApprovalRepository, type PendingApprovalRow } from '../storage/repositories/approval.repository.ts';
import { UserRepository } from '../storage/repositories/user.repository.ts';
import { CampaignRepository, type CampaignRow } from '../storage/repositories/campaign.repository.ts';
import { campaignApprovalPolicy } from '../domain/campaign/policy.ts';
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
/**
 * The caller as an approver: their role in force (a token's scope; an integration token is
 * no person's approval) and the limit an admin set on them. The platform's own jobs have no
 * person and come out as a viewer, who decides nothing.
 */
export async function approverOf(sql: Sql, by: AuditActor): Promise<Approver> {
  if (!by.person) return { id: '', role: 'viewer', approvalLimitCents: null };
  const user = await new UserRepository(sql).get(by.person.userId);
  const role = by.person.role === 'integration' ? 'viewer' : by.person.role;
  return { id: by.person.email, role, approvalLimitCents: user?.approvalLimitCents ?? null };
}

export class ApprovalService {
  private readonly pool: Pool;
  private readonly policy: PolicySource;

  constructor({ pool, policy }: ServiceDeps & { policy: PolicySource }) {
    this.pool = pool;
    this.policy = policy;
  }

  async queue(by: AuditActor, page: { limit: number; offset: number }): Promise<ApprovalQueue> {
    const [{ rows, total }, { approval }, approver] = await Promise.all([
      new ApprovalRepository(this.pool).pending(page),
      this.policy.inForce(),
      approverOf(this.pool, by),
    ]);
    // Each request under its campaign's policy, as the approving transaction will judge it.
    const campaigns = new CampaignRepository(this.pool);
    const ids = [...new Set(rows.flatMap((r) => (r.campaign ? [r.campaign] : [])))];
    const byId = new Map<string, CampaignRow | undefined>(
      await Promise.all(ids.map(async (id) => [id, await campaigns.get(id)] as const)),
    );
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
          campaignApprovalPolicy(approval, row.campaign ? byId.get(row.campaign) : undefined),
        );
        return { ...row, mayApprove: verdict.ok, whyNot: verdict.ok ? null : verdict.reason };
      }),
      total,
      limitCents: approvalLimitOf(approver, approval),
    };
  }
}

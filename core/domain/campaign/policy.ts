import type { ApprovalPolicy } from '../sample/approval-policy.ts';
import type { FollowUpPolicy } from '../sample/follow-up.ts';

/**
 * The policy in force for one campaign's samples (issue 12: "the policy can differ per
 * campaign"): the program's, with the campaign's own posting window and extension length,
 * and its patch over the approval policy. Pure; the campaign's fields were validated when
 * it was saved.
 */
export interface CampaignPolicyFields {
  postingWindowDays: number | null;
  extensionDays: number | null;
  approvalPolicy: Partial<ApprovalPolicy> | Record<string, unknown>;
}

export function campaignFollowUpPolicy(program: FollowUpPolicy, c: CampaignPolicyFields | undefined): FollowUpPolicy {
  if (!c) return program;
  const postingWindowDays = c.postingWindowDays ?? program.postingWindowDays;
  return {
    ...program,
    postingWindowDays,
    extensionDays: c.extensionDays ?? program.extensionDays,
    // A reminder or a nudge outside a shorter window would never be sent: keep them inside it.
    reminderAfterDeliveryDays: Math.min(program.reminderAfterDeliveryDays, Math.max(0, postingWindowDays - 1)),
    nudgeBeforeDueDays: Math.min(program.nudgeBeforeDueDays, Math.max(0, postingWindowDays - 1)),
  };
}

export function campaignApprovalPolicy(program: ApprovalPolicy, c: CampaignPolicyFields | undefined): ApprovalPolicy {
  if (!c) return program;
  return { ...program, ...(c.approvalPolicy as Partial<ApprovalPolicy>) };
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY } from '../sample/approval-policy.ts';
import { DEFAULT_FOLLOW_UP_POLICY } from '../sample/follow-up.ts';
import { campaignApprovalPolicy, campaignFollowUpPolicy } from './policy.ts';

const none = { postingWindowDays: null, extensionDays: null, approvalPolicy: {} };

describe('campaignFollowUpPolicy', () => {
  it("is the program's for no campaign, or one that sets no window", () => {
    expect(campaignFollowUpPolicy(DEFAULT_FOLLOW_UP_POLICY, undefined)).toBe(DEFAULT_FOLLOW_UP_POLICY);
    expect(campaignFollowUpPolicy(DEFAULT_FOLLOW_UP_POLICY, none)).toEqual(DEFAULT_FOLLOW_UP_POLICY);
  });

  it("takes the campaign's window and extension, keeping reminders and nudges inside a shorter window", () => {
    const p = campaignFollowUpPolicy(DEFAULT_FOLLOW_UP_POLICY, { ...none, postingWindowDays: 3, extensionDays: 2 });
    expect(p).toMatchObject({ postingWindowDays: 3, extensionDays: 2 });
    expect(p.reminderAfterDeliveryDays).toBeLessThan(3);
    expect(p.nudgeBeforeDueDays).toBeLessThan(3);
  });

  it('leaves reminders alone under a longer window', () => {
    const p = campaignFollowUpPolicy(DEFAULT_FOLLOW_UP_POLICY, { ...none, postingWindowDays: 30 });
    expect(p.reminderAfterDeliveryDays).toBe(DEFAULT_FOLLOW_UP_POLICY.reminderAfterDeliveryDays);
    expect(p.extensionDays).toBe(DEFAULT_FOLLOW_UP_POLICY.extensionDays);
  });
});

describe('campaignApprovalPolicy', () => {
  it("overrides only the fields the campaign's patch names", () => {
    const p = campaignApprovalPolicy(DEFAULT_APPROVAL_POLICY, {
      ...none,
      approvalPolicy: { autoApproveUnitCostUnderCents: 100 },
    });
    expect(p).toEqual({ ...DEFAULT_APPROVAL_POLICY, autoApproveUnitCostUnderCents: 100 });
    expect(campaignApprovalPolicy(DEFAULT_APPROVAL_POLICY, none)).toEqual(DEFAULT_APPROVAL_POLICY);
    expect(campaignApprovalPolicy(DEFAULT_APPROVAL_POLICY, undefined)).toBe(DEFAULT_APPROVAL_POLICY);
  });
});

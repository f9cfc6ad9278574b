import { describe, expect, it } from 'vitest';
import { CampaignCreateSchema, CampaignPatchSchema, campaignIssues, describeDeliverable } from './campaign.ts';

describe('campaign fields', () => {
  it('fills defaults on create and trims the key', () => {
    const c = CampaignCreateSchema.parse({ id: '  spring glow ', name: 'Spring' });
    expect(c).toMatchObject({
      id: 'spring glow',
      bucket: 'gifting',
      extensionRule: 'on_request',
      usageRights: { organicRepost: false, paidUsage: false, whitelisting: false, durationDays: null },
      approvalPolicy: {},
      deliverables: [],
    });
  });

  it('patches only what it names, never the id, and refuses an empty patch', () => {
    expect(CampaignPatchSchema.parse({ briefMd: 'x' })).toEqual({ briefMd: 'x' });
    expect(CampaignPatchSchema.safeParse({ id: 'y' }).success).toBe(false);
    expect(CampaignPatchSchema.safeParse({}).success).toBe(false);
  });

  it('validates the approval patch with the policy rules', () => {
    expect(CampaignPatchSchema.safeParse({ approvalPolicy: { maxSendsPerCreatorPerPeriod: 0 } }).success).toBe(false);
    expect(CampaignPatchSchema.safeParse({ approvalPolicy: { duplicateSkuWindowDays: 30 } }).success).toBe(true);
  });

  it('wants the end on or after the start', () => {
    expect(campaignIssues({ startsOn: '2026-05-02', endsOn: '2026-05-01' })).toHaveLength(1);
    expect(campaignIssues({ startsOn: '2026-05-01', endsOn: '2026-05-01' })).toEqual([]);
    expect(campaignIssues({ startsOn: null, endsOn: '2026-05-01' })).toEqual([]);
  });

  it('describes deliverables in words', () => {
    expect(describeDeliverable({ kind: 'video', count: 1, keepUpDays: 3 })).toBe('1 video (kept up 3+ days)');
    expect(describeDeliverable({ kind: 'live', count: 1, minMinutes: 10 })).toBe('1 LIVE (10+ min)');
    expect(describeDeliverable({ kind: 'raw_footage', count: 2 })).toBe('2 raw footage');
  });
});

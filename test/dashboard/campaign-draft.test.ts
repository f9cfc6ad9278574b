import { describe, expect, it } from 'vitest';
import { draftOf, emptyDeliverable, patchOf, type CampaignLike } from '../../dashboard/src/lib/campaign-draft.ts';

const campaign: CampaignLike = {
  name: 'Glow',
  startsOn: null,
  endsOn: null,
  skus: ['A'],
  briefMd: '',
  guidelinesMd: '',
  deliverables: [{ kind: 'video', count: 1, keepUpDays: 3 }],
  postingWindowDays: null,
  extensionDays: null,
  extensionRule: 'on_request',
  usageRights: { organicRepost: true, paidUsage: false, whitelisting: false, durationDays: null },
  bucket: 'gifting',
  approvalPolicy: { reshipNeedsApprover: false },
};

describe('the campaign edit form', () => {
  it('sends nothing when nothing changed', () => {
    expect(patchOf(campaign, draftOf(campaign))).toEqual({});
  });

  it('sends only the changed fields, money in cents, blanks as null', () => {
    const d = draftOf(campaign);
    d.briefMd = '# New';
    d.postingWindowDays = '10';
    d.autoApproveUnder = '12.50';
    d.deliverables.push({ ...emptyDeliverable(), kind: 'live', minMinutes: '10' });
    expect(patchOf(campaign, d)).toEqual({
      briefMd: '# New',
      postingWindowDays: 10,
      deliverables: [
        { kind: 'video', count: 1, keepUpDays: 3 },
        { kind: 'live', count: 1, minMinutes: 10 },
      ],
      // The change the form does not edit is kept.
      approvalPolicy: { reshipNeedsApprover: false, autoApproveUnitCostUnderCents: 1250 },
    });
  });
});

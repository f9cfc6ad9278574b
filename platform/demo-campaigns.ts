import type { CampaignFields } from '../core/domain/campaign/campaign.ts';

/**
 * What the demo's campaigns ask of creators (demo-history-plan.ts names them and their
 * dates). The terms change no decision the plan expects: no approval changes, and the one
 * posting window set is the program's own 14 days.
 */
export const DEMO_CAMPAIGN_TERMS: Record<string, Omit<CampaignFields, 'name' | 'startsOn' | 'endsOn'>> = {
  'always-on': {
    skus: [],
    briefMd:
      'Our evergreen seeding: any product from the catalogue, for creators who already love the brand.\n\n' +
      'Show the product **in your own routine**. No script; tell your audience what you honestly think.',
    guidelinesMd: '- Tag the brand and use *#gifted*\n- No competitor products in frame\n- Keep it family-friendly',
    deliverables: [{ kind: 'video', count: 1, keepUpDays: 3 }],
    postingWindowDays: null,
    extensionDays: null,
    extensionRule: 'on_request',
    usageRights: { organicRepost: true, paidUsage: false, whitelisting: false, durationDays: null },
    bucket: 'gifting',
    approvalPolicy: {},
  },
  'spring-glow': {
    skus: ['SERUM-VITC-30ML', 'LIPTINT-DUO', 'HAIR-OIL-50ML'],
    briefMd:
      '## Spring glow launch\n\nThe vitamin C serum is back with a new formula. We want a **morning routine** ' +
      'video: first application, the texture, the glow after a week.\n\n' +
      'Natural light works best. Mention that the serum is *fragrance-free*.',
    guidelinesMd:
      '## Do\n\n- Show the bottle label clearly\n- Say the product name in the first 5 seconds\n\n' +
      "## Don't\n\n- Make medical claims (no *cures*, *treats*)\n- Filter the skin",
    deliverables: [
      { kind: 'video', count: 1, keepUpDays: 3 },
      { kind: 'raw_footage', count: 1, note: 'unedited clips for our ads' },
    ],
    postingWindowDays: null,
    extensionDays: null,
    extensionRule: 'on_request',
    usageRights: { organicRepost: true, paidUsage: true, whitelisting: false, durationDays: 90 },
    bucket: 'affiliate',
    approvalPolicy: {},
  },
  'snack-season': {
    skus: ['CHOC-70-BAR', 'CHILI-CRISP-3'],
    briefMd:
      '## Snack season\n\nGo **LIVE** with the snack box: taste on camera, pair it with something you cook.\n\n' +
      'Pin the product link during the LIVE.',
    guidelinesMd: '- Mention the cocoa percentage of the bar\n- Keep the packaging visible while tasting',
    deliverables: [{ kind: 'live', count: 1, minMinutes: 10 }],
    postingWindowDays: null,
    extensionDays: null,
    extensionRule: 'approval',
    usageRights: { organicRepost: true, paidUsage: false, whitelisting: false, durationDays: 30 },
    bucket: 'affiliate',
    approvalPolicy: {},
  },
  'holiday-gadget-drop': {
    skus: ['EARBUDS-X2', 'RING-LIGHT-18', 'GRINDER-PRO'],
    briefMd:
      '## Holiday gadget drop\n\nGift-guide season: an **unboxing** and a first-day review.\n\n' +
      'Tell your audience who you would gift it to. See the [holiday calendar](https://example.com/holiday) for dates.',
    guidelinesMd: "- Show the box and what's inside\n- Disclose the paid partnership with the platform's label",
    deliverables: [
      { kind: 'video', count: 2, keepUpDays: 30 },
      { kind: 'story', count: 3 },
    ],
    postingWindowDays: 14,
    extensionDays: 7,
    extensionRule: 'none',
    usageRights: {
      organicRepost: true,
      paidUsage: true,
      whitelisting: true,
      durationDays: 180,
      notes: 'Whitelisting through the brand ads account',
    },
    bucket: 'paid',
    approvalPolicy: {},
  },
};

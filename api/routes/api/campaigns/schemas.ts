import { z } from 'zod';
import {
  CAMPAIGN_BUCKETS,
  CampaignApprovalPatchSchema,
  DeliverableSchema,
  EXTENSION_RULES,
} from '../../../../core/domain/campaign/campaign.ts';

const isoDate = z.iso.datetime({ offset: true });

/** A campaign as the API answers it (every usage-rights field present). */
export const CampaignSchema = z
  .object({
    id: z.string().describe('The key samples carry in `campaign`; legacy keys may hold spaces'),
    name: z.string(),
    startsOn: z.string().nullable().describe('YYYY-MM-DD'),
    endsOn: z.string().nullable().describe('YYYY-MM-DD'),
    skus: z.array(z.string()),
    briefMd: z.string().describe('Markdown'),
    guidelinesMd: z.string().describe('Brand guidelines, Markdown'),
    deliverables: z.array(DeliverableSchema),
    postingWindowDays: z.number().int().nullable().describe("null: the program's posting window"),
    extensionDays: z.number().int().nullable().describe("null: the program's extension length"),
    extensionRule: z.enum(EXTENSION_RULES),
    usageRights: z.object({
      organicRepost: z.boolean(),
      paidUsage: z.boolean(),
      whitelisting: z.boolean(),
      durationDays: z.number().int().nullable(),
      notes: z.string().optional(),
    }),
    bucket: z.enum(CAMPAIGN_BUCKETS),
    approvalPolicy: CampaignApprovalPatchSchema.describe("This campaign's changes to the program's approval policy"),
    archivedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Campaign' });

export const CampaignListItemSchema = CampaignSchema.extend({
  sampleCounts: z.object({
    samples: z.number().int(),
    sent: z.number().int().describe('Dispatched or shipped'),
    posted: z.number().int().describe('Content published'),
  }),
}).meta({ id: 'CampaignListItem' });

import { z } from 'zod';
import { ProgramPolicyPatchSchema } from '../sample/program-policy.ts';

/**
 * A campaign's fields as a person edits them (issue 12): what the creator is asked to make,
 * under which terms, and how the program's policy differs for its samples. Pure schemas;
 * whether the SKUs exist is the service's question (it needs the catalogue).
 */

export const CAMPAIGN_BUCKETS = ['gifting', 'affiliate', 'paid', 'retainer'] as const;
export type CampaignBucket = (typeof CAMPAIGN_BUCKETS)[number];
export const EXTENSION_RULES = ['none', 'on_request', 'approval'] as const;
export type ExtensionRule = (typeof EXTENSION_RULES)[number];
export const DELIVERABLE_KINDS = ['video', 'live', 'photo', 'story', 'raw_footage'] as const;

export interface Deliverable {
  kind: (typeof DELIVERABLE_KINDS)[number];
  count: number;
  /** A video kept up at least this many days. */
  keepUpDays?: number;
  /** A LIVE of at least this many minutes. */
  minMinutes?: number;
  note?: string;
}

export interface UsageRights {
  organicRepost: boolean;
  paidUsage: boolean;
  whitelisting: boolean;
  /** How long the rights last; null: no end set. */
  durationDays: number | null;
  notes?: string;
}

/** The key samples carry in `samples.campaign`: legacy keys may hold spaces (migration 029). */
export const CampaignIdSchema = z.string().trim().min(1).max(200);

const DateOnly = z.iso.date().describe('YYYY-MM-DD');
const Days = z.number().int().min(1).max(365);

export const DeliverableSchema = z
  .object({
    kind: z.enum(DELIVERABLE_KINDS),
    count: z.number().int().min(1).max(1000),
    keepUpDays: z.number().int().min(1).max(3650).optional().describe('A video kept up at least this many days'),
    minMinutes: z.number().int().min(1).max(1440).optional().describe('A LIVE of at least this many minutes'),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

export const UsageRightsSchema = z
  .object({
    organicRepost: z.boolean().default(false),
    paidUsage: z.boolean().default(false),
    whitelisting: z.boolean().default(false),
    durationDays: z.number().int().min(1).max(3650).nullable().default(null).describe('null: no end set'),
    notes: z.string().trim().max(2000).optional(),
  })
  .strict();

/**
 * A patch over the program's approval policy for this campaign's requests: the fields of
 * the policy's approval section, each optional, unknown fields refused.
 */
export const CampaignApprovalPatchSchema = ProgramPolicyPatchSchema.shape.approval.unwrap();

// Each field without a default, so a PATCH of one field changes only that field.
const FIELDS = {
  name: z.string().trim().min(1).max(200),
  startsOn: DateOnly.nullable(),
  endsOn: DateOnly.nullable(),
  skus: z
    .array(z.string().trim().min(1).max(100))
    .max(200)
    .transform((s) => [...new Set(s)]),
  briefMd: z.string().max(20_000),
  guidelinesMd: z.string().max(20_000),
  deliverables: z.array(DeliverableSchema).max(50),
  postingWindowDays: Days.nullable().describe("Days from receipt to post; null: the program's"),
  extensionDays: Days.nullable().describe("Length of the one extension; null: the program's"),
  extensionRule: z.enum(EXTENSION_RULES),
  usageRights: UsageRightsSchema.describe('Replaced whole by a PATCH: fields left out take their defaults'),
  bucket: z.enum(CAMPAIGN_BUCKETS),
  approvalPolicy: CampaignApprovalPatchSchema.describe(
    "Changes to the program's approval policy for this campaign; replaced whole by a PATCH ({}: none)",
  ),
};

export const CampaignCreateSchema = z
  .object({
    id: CampaignIdSchema,
    name: FIELDS.name,
    startsOn: FIELDS.startsOn.default(null),
    endsOn: FIELDS.endsOn.default(null),
    skus: FIELDS.skus.default([]),
    briefMd: FIELDS.briefMd.default(''),
    guidelinesMd: FIELDS.guidelinesMd.default(''),
    deliverables: FIELDS.deliverables.default([]),
    postingWindowDays: FIELDS.postingWindowDays.default(null),
    extensionDays: FIELDS.extensionDays.default(null),
    extensionRule: FIELDS.extensionRule.default('on_request'),
    usageRights: FIELDS.usageRights.default(UsageRightsSchema.parse({})),
    bucket: FIELDS.bucket.default('gifting'),
    approvalPolicy: FIELDS.approvalPolicy.default({}),
  })
  .strict();
export type CampaignCreate = z.output<typeof CampaignCreateSchema>;
export type CampaignFields = Omit<CampaignCreate, 'id'>;

/** A PATCH: any field but the id (it is the key samples carry, so it never changes). */
export const CampaignPatchSchema = z
  .object(FIELDS)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export type CampaignPatch = z.output<typeof CampaignPatchSchema>;

export interface CampaignIssue {
  path: string;
  message: string;
}

/** What one field's rule cannot see: the dates in order (checked after a patch is merged). */
export function campaignIssues(c: Pick<CampaignFields, 'startsOn' | 'endsOn'>): CampaignIssue[] {
  if (c.startsOn && c.endsOn && c.endsOn < c.startsOn)
    return [{ path: 'endsOn', message: `must be on or after startsOn (${c.startsOn})` }];
  return [];
}

/** The editable fields of a stored row (a record the trigger made has defaults for all). */
export function fieldsOf(
  row: Omit<CampaignFields, 'usageRights'> & { usageRights: Partial<UsageRights> },
): CampaignFields {
  return {
    name: row.name,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    skus: row.skus,
    briefMd: row.briefMd,
    guidelinesMd: row.guidelinesMd,
    deliverables: row.deliverables,
    postingWindowDays: row.postingWindowDays,
    extensionDays: row.extensionDays,
    extensionRule: row.extensionRule,
    usageRights: UsageRightsSchema.parse({ ...UsageRightsSchema.parse({}), ...row.usageRights }),
    bucket: row.bucket,
    approvalPolicy: row.approvalPolicy,
  };
}

/** One line per deliverable: "1 video (kept up 3+ days)", "1 LIVE (10+ min)". */
export function describeDeliverable(d: Deliverable): string {
  const noun = { video: 'video', live: 'LIVE', photo: 'photo', story: 'story', raw_footage: 'raw footage' }[d.kind];
  const terms = [
    d.keepUpDays ? `kept up ${d.keepUpDays}+ days` : '',
    d.minMinutes ? `${d.minMinutes}+ min` : '',
    d.note ?? '',
  ].filter(Boolean);
  return `${d.count} ${noun}${terms.length ? ` (${terms.join(', ')})` : ''}`;
}

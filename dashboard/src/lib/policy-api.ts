import { ApiError, http } from './api';

/**
 * The program policy (GET/PATCH /api/policy): types mirror docs/openapi.json, and FIELDS
 * says how each value is shown and edited (docs/sample-program.md, Policy settings).
 * Hand-written: the policy's answer is an inline schema with no name in the document's
 * components, so openapi-typescript gives it no type to import.
 */

type Fetch = typeof fetch;

export interface ApprovalPolicy {
  autoApproveUnitCostUnderCents: number;
  maxSendsPerCreatorPerPeriod: number;
  duplicateSkuWindowDays: number;
  reshipNeedsApprover: boolean;
  defaultApprovalLimitCents: number;
  forbidSelfApproval: boolean;
}

export interface FollowUpPolicy {
  shipWithinDays: number;
  postingWindowDays: number;
  extensionDays: number;
  reminderAfterDeliveryDays: number;
  nudgeBeforeDueDays: number;
  noPostAfterFinalReminderDays: number;
  outcomeAfterPostDays: number;
  noPostPatternMisses: number;
  noPostPatternDays: number;
}

export interface Policy {
  approval: ApprovalPolicy;
  followUp: FollowUpPolicy;
  /** Counts saved changes; 0: the code defaults, never edited. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export type Section = 'approval' | 'followUp';
export type PolicyPatch = {
  approval?: Partial<ApprovalPolicy>;
  followUp?: Partial<FollowUpPolicy>;
  expectedVersion?: number;
};

export interface Field {
  section: Section;
  key: string;
  label: string;
  /** How the value is entered: money in the program currency (stored as cents), a count, days, or yes/no. */
  kind: 'money' | 'count' | 'days' | 'flag';
  help: string;
}

export const FIELDS: Field[] = [
  {
    section: 'approval',
    key: 'autoApproveUnitCostUnderCents',
    label: 'Auto-approve under',
    kind: 'money',
    help: 'A unit cost under this may be approved by the policy; at or above it a named approver decides.',
  },
  {
    section: 'approval',
    key: 'maxSendsPerCreatorPerPeriod',
    label: 'Sends per creator per campaign',
    kind: 'count',
    help: 'Approved sends to one creator in one campaign (reships excluded); more are refused.',
  },
  {
    section: 'approval',
    key: 'duplicateSkuWindowDays',
    label: 'Duplicate-send window',
    kind: 'days',
    help: 'The same SKU to the same creator again within this is refused as a duplicate.',
  },
  {
    section: 'approval',
    key: 'reshipNeedsApprover',
    label: 'Reships need an approver',
    kind: 'flag',
    help: 'Off: a low-risk reship is approved by the policy.',
  },
  {
    section: 'approval',
    key: 'defaultApprovalLimitCents',
    label: 'Default approval limit',
    kind: 'money',
    help: 'What a person may approve (product cost of one send) when an admin has set no limit of their own; admins have none.',
  },
  {
    section: 'approval',
    key: 'forbidSelfApproval',
    label: 'Four eyes',
    kind: 'flag',
    help: 'Nobody approves their own request at or above the auto-approval line.',
  },
  {
    section: 'followUp',
    key: 'shipWithinDays',
    label: 'Ship within',
    kind: 'days',
    help: 'After approval; later, ops are told of the shipping delay.',
  },
  {
    section: 'followUp',
    key: 'postingWindowDays',
    label: 'Posting window',
    kind: 'days',
    help: 'From receipt to the content due date.',
  },
  {
    section: 'followUp',
    key: 'extensionDays',
    label: 'Extension',
    kind: 'days',
    help: 'Length of the one extension a creator may get.',
  },
  {
    section: 'followUp',
    key: 'reminderAfterDeliveryDays',
    label: 'Posting reminder after delivery',
    kind: 'days',
    help: 'Must be less than the posting window.',
  },
  {
    section: 'followUp',
    key: 'nudgeBeforeDueDays',
    label: 'Deadline nudge before due',
    kind: 'days',
    help: 'Must be less than the posting window.',
  },
  {
    section: 'followUp',
    key: 'noPostAfterFinalReminderDays',
    label: 'No post after final reminder',
    kind: 'days',
    help: 'The final reminder goes out when content is due; this long after it, the sample is marked no post.',
  },
  {
    section: 'followUp',
    key: 'outcomeAfterPostDays',
    label: 'Ask for the outcome after posting',
    kind: 'days',
    help: 'Orders and GMV are requested this long after publication.',
  },
  {
    section: 'followUp',
    key: 'noPostPatternMisses',
    label: 'Restrict after missed posts',
    kind: 'count',
    help: 'A first missed post puts a creator on watch; this many within the pattern window restrict them (at least 2).',
  },
  {
    section: 'followUp',
    key: 'noPostPatternDays',
    label: 'Missed-post pattern window',
    kind: 'days',
    help: 'Only missed posts this recent count towards restricting a creator.',
  },
];

export const policyApi = {
  get(fetchFn: Fetch): Promise<Policy> {
    return http.get(fetchFn, '/api/policy');
  },
  update(patch: PolicyPatch): Promise<Policy> {
    return http.patch('/api/policy', patch);
  },
};

/**
 * Field problems of a refused save, by `section.key`: a bad value (the request's own
 * check: details is a list) or a combination (the policy's check: details.issues).
 */
export function fieldErrors(cause: unknown): Record<string, string> {
  if (!(cause instanceof ApiError) || cause.code !== 'VALIDATION_FAILED') return {};
  const d = cause.details as
    { path?: string; message?: string }[] | { issues?: { path?: string; message?: string }[] } | undefined;
  const list = Array.isArray(d) ? d : (d?.issues ?? []);
  return Object.fromEntries(list.filter((i) => i.path).map((i) => [i.path!, i.message ?? 'invalid']));
}

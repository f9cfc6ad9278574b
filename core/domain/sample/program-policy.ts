import { z } from 'zod';
import { ApprovalPolicySchema, DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from './approval-policy.ts';
import { DEFAULT_FOLLOW_UP_POLICY, FollowUpPolicySchema, type FollowUpPolicy } from './follow-up.ts';

/**
 * The program's policy as one editable document (issue 3 "configurable", issue 6 "admin
 * owns policy"): the approval policy and the follow-up policy. Pure: merging a patch,
 * validating the result and diffing two versions; storage and audit are the service's.
 */
export interface ProgramPolicy {
  approval: ApprovalPolicy;
  followUp: FollowUpPolicy;
}

export const DEFAULT_PROGRAM_POLICY: ProgramPolicy = {
  approval: DEFAULT_APPROVAL_POLICY,
  followUp: DEFAULT_FOLLOW_UP_POLICY,
};

type Section = keyof ProgramPolicy;
const SECTIONS = { approval: ApprovalPolicySchema, followUp: FollowUpPolicySchema } as const;

/**
 * A section's fields, each optional and without its default: `.partial()` alone would
 * fill every absent field with its default (zod 4), turning a one-field patch into a reset.
 */
function patchOf<S extends z.ZodObject>(schema: S) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()]),
  ) as { [K in keyof S['shape']]: z.ZodOptional<S['shape'][K] extends z.ZodDefault<infer I> ? I : S['shape'][K]> };
  return z.object(shape).strict();
}

/** A partial change: any field of either section; unknown fields are refused. */
export const ProgramPolicyPatchSchema = z
  .object({
    approval: patchOf(ApprovalPolicySchema).optional(),
    followUp: patchOf(FollowUpPolicySchema).optional(),
  })
  .strict();
export type ProgramPolicyPatch = z.output<typeof ProgramPolicyPatchSchema>;

/** The whole policy as stored and returned: every field present. */
export const ProgramPolicySchema = z.object({ approval: ApprovalPolicySchema, followUp: FollowUpPolicySchema });

export interface PolicyIssue {
  /** `followUp.postingWindowDays` */
  path: string;
  message: string;
}

export type MergeResult = { ok: true; policy: ProgramPolicy } | { ok: false; issues: PolicyIssue[] };

/** The patch over the current policy, validated field by field and as a whole. */
export function mergePolicy(current: ProgramPolicy, patch: unknown): MergeResult {
  const parsed = ProgramPolicyPatchSchema.safeParse(patch);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map(issue) };
  const merged = ProgramPolicySchema.safeParse({
    approval: { ...current.approval, ...parsed.data.approval },
    followUp: { ...current.followUp, ...parsed.data.followUp },
  });
  if (!merged.success) return { ok: false, issues: merged.error.issues.map(issue) };
  const issues = crossFieldIssues(merged.data);
  return issues.length ? { ok: false, issues } : { ok: true, policy: merged.data };
}

/**
 * Combinations each field's own rule cannot see: a reminder or a nudge outside the posting
 * window would never be sent (dueFollowUps drops a follow-up once content is due).
 */
function crossFieldIssues({ followUp: f }: ProgramPolicy): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  if (f.reminderAfterDeliveryDays >= f.postingWindowDays) {
    out.push({
      path: 'followUp.reminderAfterDeliveryDays',
      message: `must be less than postingWindowDays (${f.postingWindowDays})`,
    });
  }
  if (f.nudgeBeforeDueDays >= f.postingWindowDays) {
    out.push({
      path: 'followUp.nudgeBeforeDueDays',
      message: `must be less than postingWindowDays (${f.postingWindowDays})`,
    });
  }
  return out;
}

/**
 * A stored policy read back: each field that is missing or no longer valid (a field added
 * or tightened since it was saved) takes its code default, so an old row never stops the
 * program; the rest is kept as saved.
 */
export function readStoredPolicy(stored: { approval: unknown; followUp: unknown } | undefined): ProgramPolicy {
  if (!stored) return DEFAULT_PROGRAM_POLICY;
  return {
    approval: readSection('approval', stored.approval),
    followUp: readSection('followUp', upgradeFollowUp(stored.followUp)),
  };
}

/**
 * Policies saved before the non-posting pattern (issue 12) hold `restrictAfterNoPosts`:
 * a deliberate count of 2 or more carries over as `noPostPatternMisses`; the old default
 * of 1 (restrict on the first miss) is no longer allowed and takes the new default.
 */
function upgradeFollowUp(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || !('restrictAfterNoPosts' in raw)) return raw;
  const { restrictAfterNoPosts, ...rest } = raw as Record<string, unknown>;
  return 'noPostPatternMisses' in rest ? rest : { ...rest, noPostPatternMisses: restrictAfterNoPosts };
}

function readSection<K extends Section>(section: K, raw: unknown): ProgramPolicy[K] {
  const schema = SECTIONS[section];
  const saved = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const kept = Object.fromEntries(
    Object.entries(schema.shape).flatMap(([k, field]) =>
      k in saved && field.safeParse(saved[k]).success ? [[k, saved[k]]] : [],
    ),
  );
  return schema.parse(kept) as ProgramPolicy[K];
}

export interface PolicyDiff {
  before: Partial<Record<Section, Record<string, unknown>>>;
  after: Partial<Record<Section, Record<string, unknown>>>;
}

/** The fields that changed, old and new values side by side (the audit row's detail). */
export function diffPolicy(before: ProgramPolicy, after: ProgramPolicy): PolicyDiff {
  const diff: PolicyDiff = { before: {}, after: {} };
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const b = before[section] as Record<string, unknown>;
    const a = after[section] as Record<string, unknown>;
    for (const key of Object.keys(a)) {
      if (Object.is(a[key], b[key])) continue;
      (diff.before[section] ??= {})[key] = b[key];
      (diff.after[section] ??= {})[key] = a[key];
    }
  }
  return diff;
}

export const isEmptyDiff = (d: PolicyDiff) => Object.keys(d.after).length === 0;

function issue(i: z.core.$ZodIssue): PolicyIssue {
  const keys = i.code === 'unrecognized_keys' ? i.keys : [];
  // An unknown field is named in the path, like a bad value of a known one.
  const path = [...i.path, ...(keys.length === 1 ? keys : [])].map(String).join('.');
  return { path, message: i.message };
}

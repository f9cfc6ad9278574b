import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRAM_POLICY, diffPolicy, isEmptyDiff, mergePolicy, readStoredPolicy } from './program-policy.ts';

describe('program policy', () => {
  it('merges a one-field patch over the current policy and leaves the other fields alone', () => {
    const current = {
      ...DEFAULT_PROGRAM_POLICY,
      approval: { ...DEFAULT_PROGRAM_POLICY.approval, duplicateSkuWindowDays: 30 },
    };
    const r = mergePolicy(current, { approval: { autoApproveUnitCostUnderCents: 1000 } });
    expect(r).toEqual({
      ok: true,
      policy: { ...current, approval: { ...current.approval, autoApproveUnitCostUnderCents: 1000 } },
    });
  });

  it('names the field of a bad value, of an unknown field and of a combination that cannot work', () => {
    const paths = (patch: unknown) => {
      const r = mergePolicy(DEFAULT_PROGRAM_POLICY, patch);
      return r.ok ? [] : r.issues.map((i) => i.path);
    };
    expect(paths({ approval: { autoApproveUnitCostUnderCents: -1 } })).toEqual([
      'approval.autoApproveUnitCostUnderCents',
    ]);
    expect(paths({ approval: { maxSendsPerCreatorPerPeriod: 1.5 } })).toEqual(['approval.maxSendsPerCreatorPerPeriod']);
    expect(paths({ followUp: { postingWindowDays: 100_000 } })).toEqual(['followUp.postingWindowDays']);
    expect(paths({ followUp: { postingWindowDays: 'soon' } })).toEqual(['followUp.postingWindowDays']);
    expect(paths({ followUp: { postingWindowDay: 3 } })).toEqual(['followUp.postingWindowDay']);
    expect(paths({ followUp: { postingWindowDays: 4 } })).toEqual(['followUp.reminderAfterDeliveryDays']);
  });

  it('reads a stored policy field by field: missing or no longer valid fields take their default', () => {
    expect(readStoredPolicy(undefined)).toEqual(DEFAULT_PROGRAM_POLICY);
    const read = readStoredPolicy({
      approval: { autoApproveUnitCostUnderCents: 900, maxSendsPerCreatorPerPeriod: -3, retired: true },
      followUp: null,
    });
    expect(read).toEqual({
      approval: { ...DEFAULT_PROGRAM_POLICY.approval, autoApproveUnitCostUnderCents: 900 },
      followUp: DEFAULT_PROGRAM_POLICY.followUp,
    });
  });

  it('reads a follow-up policy saved before the non-posting pattern: a deliberate count carries over, the old default drops', () => {
    const approval = DEFAULT_PROGRAM_POLICY.approval;
    const old = (restrictAfterNoPosts: number) =>
      readStoredPolicy({ approval, followUp: { postingWindowDays: 10, restrictAfterNoPosts } }).followUp;
    expect(old(3)).toEqual({ ...DEFAULT_PROGRAM_POLICY.followUp, postingWindowDays: 10, noPostPatternMisses: 3 });
    expect(old(1)).toEqual({ ...DEFAULT_PROGRAM_POLICY.followUp, postingWindowDays: 10 });
    expect(old(1)).not.toHaveProperty('restrictAfterNoPosts');
    const both = readStoredPolicy({ approval, followUp: { restrictAfterNoPosts: 5, noPostPatternMisses: 4 } });
    expect(both.followUp.noPostPatternMisses).toBe(4);
  });

  it('diffs only the fields that changed, before and after side by side', () => {
    const after = {
      approval: { ...DEFAULT_PROGRAM_POLICY.approval, reshipNeedsApprover: false },
      followUp: { ...DEFAULT_PROGRAM_POLICY.followUp, postingWindowDays: 10 },
    };
    expect(diffPolicy(DEFAULT_PROGRAM_POLICY, after)).toEqual({
      before: { approval: { reshipNeedsApprover: true }, followUp: { postingWindowDays: 14 } },
      after: { approval: { reshipNeedsApprover: false }, followUp: { postingWindowDays: 10 } },
    });
    expect(isEmptyDiff(diffPolicy(after, after))).toBe(true);
  });
});

import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError } from '../domain/errors.ts';
import {
  diffPolicy,
  isEmptyDiff,
  mergePolicy,
  readStoredPolicy,
  type ProgramPolicy,
} from '../domain/sample/program-policy.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { PolicyRepository, type StoredPolicy } from '../storage/repositories/policy.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { SampleProgramConfig } from './sample-program.config.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

/** The policy as the API shows it: every field, and which version it is (0: the code defaults, never edited). */
export interface PolicyView extends ProgramPolicy {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Fields fixed in code for this process (tests that shrink a window); they win over the stored policy. */
export type PinnedPolicy = Pick<SampleProgramConfig, 'approval' | 'followUp'>;

/** What deciding code asks: the policy in force now, read inside its own transaction when given its repository. */
export interface PolicySource {
  inForce(policies?: PolicyRepository): Promise<ProgramPolicy>;
}

/**
 * The program's editable policy (docs/sample-program.md, Policy settings). There is no
 * cache: every decision reads the one row (a primary-key lookup), inside its own
 * transaction where it has one, so a change made through any platform process applies to
 * the next decision of every process. An edit is a partial patch merged over the current
 * policy, validated, version-checked and audited with its before/after in one transaction.
 */
export class PolicyService implements PolicySource {
  private readonly pool: Pool;
  private readonly pinned: PinnedPolicy;
  private readonly now: () => Date;

  /** `pinned`: what a deployment fixes whatever is stored (the program configuration). */
  constructor({ pool, now = wallClock, pinned = {} }: ServiceDeps & { pinned?: PinnedPolicy }) {
    this.pool = pool;
    this.pinned = pinned;
    this.now = now;
  }

  /** The stored policy (defaults for what was never set) with its version. */
  async current(): Promise<PolicyView> {
    return view(await new PolicyRepository(this.pool).get());
  }

  async inForce(policies = new PolicyRepository(this.pool)): Promise<ProgramPolicy> {
    const stored = readStoredPolicy(await policies.get());
    return {
      approval: { ...stored.approval, ...this.pinned.approval },
      followUp: { ...stored.followUp, ...this.pinned.followUp },
    };
  }

  /**
   * Merges `patch` over the current policy. With `expectedVersion`, a policy changed since
   * that version is refused (CONFLICT) instead of silently overwritten. A patch that
   * changes nothing writes nothing (no new version, no audit row).
   */
  update(patch: unknown, by: AuditActor, expectedVersion?: number): Promise<PolicyView> {
    return withTransaction(this.pool, async (tx) => {
      const policies = new PolicyRepository(tx);
      const stored = await policies.get({ forUpdate: true });
      const before = view(stored);
      if (expectedVersion !== undefined && expectedVersion !== before.version)
        throw stale(expectedVersion, before.version);
      const merged = mergePolicy(before, patch);
      if (!merged.ok) {
        const named = merged.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw new DomainError('VALIDATION_FAILED', `invalid policy: ${named}`, { issues: merged.issues });
      }
      const diff = diffPolicy(before, merged.policy);
      if (isEmptyDiff(diff)) return before;
      const version = before.version + 1;
      const saved = stored
        ? await policies.save(merged.policy, version, by.label, this.now())
        : // No row yet: a concurrent first edit may insert it between our read and this write.
          await policies.insert(merged.policy, version, by.label, this.now());
      if (!saved) throw stale(expectedVersion ?? before.version, before.version + 1);
      await new AuditRepository(tx).record(by, {
        action: 'policy.update',
        entityType: 'policy',
        entityId: 'program',
        detail: { fromVersion: before.version, version, ...diff },
      });
      return view(saved);
    });
  }
}

function view(stored: StoredPolicy | undefined): PolicyView {
  return {
    ...readStoredPolicy(stored),
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}

function stale(expected: number, actual: number): DomainError {
  return new DomainError(
    'CONFLICT',
    `the policy changed since version ${expected} (now ${actual}); reload and try again`,
    {
      reason: 'stale_version',
      expectedVersion: expected,
      currentVersion: actual,
    },
  );
}

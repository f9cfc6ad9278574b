import type { AuditActor } from '../domain/auth/principal.ts';
import { ConditionProfileSchema, effectiveProfile, type ConditionProfile, type ProfileSource } from '../domain/condition/index.ts';
import { notFound } from '../domain/errors.ts';
import type { TripGeofences } from '../domain/geofence.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { SampleConditionRepository } from '../storage/repositories/sample-condition.repository.ts';
import { withTransaction } from '../storage/transaction.ts';

export interface SampleConditionView {
  source: ProfileSource;
  /** The sample's own profile, replacing its product's; null: it follows the product's. */
  sampleProfile: ConditionProfile | null;
  /** What the condition rules judge its trip by. */
  effectiveProfile: ConditionProfile;
}

/** A sample's condition profile override and its trip's geofences. */
export class SampleConditionService {
  private readonly repo: SampleConditionRepository;

  constructor(private readonly pool: Pool) {
    this.repo = new SampleConditionRepository(pool);
  }

  async condition(sampleId: string): Promise<SampleConditionView> {
    const stored = await this.repo.profiles(sampleId);
    if (!stored) throw notFound('sample', sampleId);
    return view(stored.productProfile, stored.sampleProfile);
  }

  /**
   * Sets (or with null clears) the sample's own profile; the condition monitor judges by it
   * from its next look at the trip (within seconds). Audited with the old and new profile.
   */
  setProfile(sampleId: string, profile: ConditionProfile | null, by: AuditActor): Promise<SampleConditionView> {
    return withTransaction(this.pool, async (tx) => {
      const repo = new SampleConditionRepository(tx);
      const before = await repo.profiles(sampleId);
      if (!before || !(await repo.setProfile(sampleId, profile))) throw notFound('sample', sampleId);
      await new AuditRepository(tx).record(by, {
        action: 'sample.condition_profile', entityType: 'sample', entityId: sampleId,
        detail: { from: before.sampleProfile ?? null, to: profile },
      });
      return view(before.productProfile, profile);
    });
  }

  async geofences(sampleId: string): Promise<TripGeofences> {
    const g = await this.repo.geofences(sampleId);
    if (!g) throw notFound('sample', sampleId);
    return g;
  }
}

function view(productProfile: unknown, sampleProfile: unknown): SampleConditionView {
  try {
    const { profile, source } = effectiveProfile(productProfile, sampleProfile);
    return { source, sampleProfile: source === 'sample' ? profile : null, effectiveProfile: profile };
  } catch {
    // A stored profile that no longer validates: the monitor judges by the defaults (and logs it).
    return { source: 'default', sampleProfile: null, effectiveProfile: ConditionProfileSchema.parse({}) };
  }
}

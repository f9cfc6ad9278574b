import type { AuditActor } from '../domain/auth/principal.ts';
import {
  ConditionProfileSchema,
  effectiveProfile,
  evaluateTrip,
  type BudgetSummary,
  type ConditionProfile,
  type MktSummary,
  type ProfileSource,
} from '../domain/condition/index.ts';
import { notFound } from '../domain/errors.ts';
import type { TripGeofences } from '../domain/geofence.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { SampleConditionRepository } from '../storage/repositories/sample-condition.repository.ts';
import { SampleRepository } from '../storage/repositories/sample.repository.ts';
import { TripRepository } from '../storage/repositories/trip.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { ServiceDeps } from './deps.ts';

export interface SampleConditionView {
  source: ProfileSource;
  /** The sample's own profile, replacing its product's; null: it follows the product's. */
  sampleProfile: ConditionProfile | null;
  /** What the condition rules judge its trip by. */
  effectiveProfile: ConditionProfile;
}

/** The trip-wide condition figures of one tracker's ride with the sample. */
export interface TripFigures {
  deviceId: string;
  /** Event time of the first and last reading judged; null before any reading. */
  from: Date | null;
  to: Date | null;
  readings: number;
  /** Mean Kinetic Temperature against the profile's limit; null until some time is covered or without a temperature rule. */
  mkt: MktSummary | null;
  /** Time outside the temperature range against the stability budget. */
  budget: BudgetSummary;
}

/** A sample's condition profile override and its trip's geofences. */
export class SampleConditionService {
  private readonly repo: SampleConditionRepository;

  private readonly pool: Pool;

  constructor({ pool }: ServiceDeps) {
    this.pool = pool;
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
        action: 'sample.condition_profile',
        entityType: 'sample',
        entityId: sampleId,
        detail: { from: before.sampleProfile ?? null, to: profile },
      });
      return view(before.productProfile, profile);
    });
  }

  /**
   * MKT and the stability budget over the whole trip, per tracker that rode with the sample,
   * judged by the effective profile. These are trip verdicts (read at delivery, and shown
   * live on the sample), computed from the stored readings in event time on each call.
   */
  async tripFigures(sampleId: string): Promise<{ source: ProfileSource; trackers: TripFigures[] }> {
    const { source, effectiveProfile: profile } = await this.condition(sampleId);
    const trips = new TripRepository(this.pool);
    const trackers: TripFigures[] = [];
    for (const w of await new SampleRepository(this.pool).trackerWindows(sampleId)) {
      const readings = await trips.readings(w.deviceId, w.from, undefined, w.to);
      const first = readings[0];
      const last = readings.at(-1);
      // Judging starts where the condition monitor starts it: the tracker's first reading of the trip.
      const figures = evaluateTrip(readings, profile, first ? { startedAt: first.ts } : {});
      trackers.push({
        deviceId: w.deviceId,
        from: first ? new Date(first.ts) : null,
        to: last ? new Date(last.ts) : null,
        readings: readings.length,
        mkt: figures.mkt ?? null,
        budget: figures.budget,
      });
    }
    return { source, trackers };
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

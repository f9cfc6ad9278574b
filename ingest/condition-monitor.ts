import { ConditionProfileSchema, TripEvaluator, effectiveProfile, type ConditionProfile, type EpisodeChanges } from '../core/domain/condition/index.ts';
import type { Stage } from '../core/domain/condition/types.ts';
import { DomainError } from '../core/domain/errors.ts';
import { stageByGeofence } from '../core/domain/geofence.ts';
import type { EventInput, SampleLifecycleService } from '../core/services/sample-lifecycle.service.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { Pool } from '../core/storage/database.ts';
import { raiseAlerts } from '../core/services/alert.service.ts';
import { withTransaction } from '../core/storage/transaction.ts';
import { ExceptionRepository } from '../core/storage/repositories/exception.repository.ts';
import { TripRepository, type ActiveTrip } from '../core/storage/repositories/trip.repository.ts';
import { lifecycleEvidence } from './tracker-evidence.ts';

interface MonitoredTrip {
  trip: ActiveTrip;
  evaluator: TripEvaluator;
  stageAt: (r: Reading) => Stage;
  /** Whether leaving the origin geofence was already reported to the lifecycle. */
  leftOrigin: boolean;
  /** After this, the device's sample is looked up again (a tracker may be re-packed). */
  checkAfter: number;
}

/** How long a device's sample (or its absence) is trusted before it is looked up again. */
const RECHECK_MS = 15_000;

const DEFAULT_PROFILE = ConditionProfileSchema.parse({});

/**
 * Judges every stored reading against its sample's condition profile and raises
 * exceptions against the sample. Rule state lives in memory per trip (one engine step per
 * live reading); the database is the record: a trip seen for the first time since start
 * is rebuilt from its stored readings and the exceptions already raised, so a restart
 * neither misses nor repeats an episode. Work is serialised, so the evaluators see batches
 * in the order they were committed.
 */
export class ConditionMonitor {
  private readonly trips = new Map<string, MonitoredTrip | { none: true; checkAfter: number }>();
  private chain: Promise<void> = Promise.resolve();
  private readonly tripsRepo: TripRepository;

  constructor(private readonly o: {
    pool: Pool;
    log: Logger;
    publicUrl: string;
    /** Where tracker evidence (transit damage, receipt, departure) moves the sample's lifecycle. */
    lifecycle?: Pick<SampleLifecycleService, 'applyEvent'>;
    now?: () => number;
  }) {
    this.tripsRepo = new TripRepository(o.pool);
  }

  /** Queues stored readings for judgement; returns when they have been judged. */
  judge(readings: readonly Reading[]): Promise<void> {
    this.chain = this.chain.then(() => this.process(readings)).catch((err: unknown) => {
      this.o.log.error({ err }, 'condition rules failed for a batch; the trip is re-judged from storage next time');
      for (const id of new Set(readings.map((r) => r.deviceId))) this.trips.delete(id);
    });
    return this.chain;
  }

  /** Resolves once everything queued so far has been judged. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** Re-checks the silence rule of every trip in memory (no readings needed for that). */
  tick(): Promise<void> {
    this.chain = this.chain.then(async () => {
      const now = this.now();
      for (const t of this.trips.values()) {
        if ('none' in t) continue;
        await this.persist(t.trip, t.evaluator.tick(now));
      }
    }).catch((err: unknown) => this.o.log.error({ err }, 'condition tick failed'));
    return this.chain;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private async process(readings: readonly Reading[]): Promise<void> {
    const byDevice = new Map<string, Reading[]>();
    for (const r of readings) {
      const list = byDevice.get(r.deviceId);
      if (list) list.push(r);
      else byDevice.set(r.deviceId, [r]);
    }
    const now = this.now();
    const stale = [...byDevice.keys()].filter((id) => (this.trips.get(id)?.checkAfter ?? 0) <= now);
    if (stale.length) await this.refresh(stale, now);
    for (const [deviceId, list] of byDevice) {
      const t = this.trips.get(deviceId);
      if (!t || 'none' in t) continue;
      await this.persist(t.trip, t.evaluator.add(list, now));
      await this.noteDeparture(t, list);
    }
  }

  /** Looks up the devices' current trips; a new or changed trip gets an evaluator rebuilt from storage. */
  private async refresh(deviceIds: string[], now: number): Promise<void> {
    const active = new Map((await this.tripsRepo.active(deviceIds)).map((t) => [t.deviceId, t]));
    for (const id of deviceIds) {
      const trip = active.get(id);
      const current = this.trips.get(id);
      if (!trip) {
        this.trips.set(id, { none: true, checkAfter: now + RECHECK_MS });
        continue;
      }
      if (current && !('none' in current) && sameTrip(current.trip, trip)) {
        current.checkAfter = now + RECHECK_MS;
        continue;
      }
      const stageAt = stageByGeofence({ origin: trip.origin, destination: trip.destination, radiusM: trip.radiusM });
      const evaluator = await this.rebuild(trip, stageAt, now);
      this.trips.set(id, { trip, evaluator, stageAt, leftOrigin: false, checkAfter: now + RECHECK_MS });
    }
  }

  private async rebuild(trip: ActiveTrip, stageAt: (r: Reading) => Stage, now: number): Promise<TripEvaluator> {
    const exceptions = new ExceptionRepository(this.o.pool);
    const [stored, known] = await Promise.all([
      this.tripsRepo.readings(trip.deviceId, trip.since),
      exceptions.knownEpisodes(trip.sampleId, trip.deviceId),
    ]);
    const evaluator = new TripEvaluator(profileOf(trip, this.o.log), {
      // The tracker is switched on when the parcel is packed: its first reading of the trip.
      ...(stored[0] ? { startedAt: stored[0].ts } : {}),
      stageAt,
    }, { known });
    // Differences against what was raised before (e.g. readings stored just before a crash) come out here.
    await this.persist(trip, evaluator.add(stored, now));
    return evaluator;
  }

  private async persist(trip: ActiveTrip, changes: EpisodeChanges): Promise<void> {
    if (!changes.opened.length && !changes.updated.length && !changes.closed.length && !changes.retracted.length) return;
    // The exception rows, their alerts and webhook deliveries commit together.
    await withTransaction(this.o.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      const { touched, events } = await repo.applyChanges(trip.sampleId, trip.deviceId, changes);
      await repo.notifyChanged(touched);
      await raiseAlerts(sql, events, this.o.publicUrl);
    });
    if (!this.o.lifecycle) return;
    // Re-reported episodes (after a restart) meet a lifecycle that has moved on and refuses them.
    for (const episode of changes.opened) {
      const place = episode.startSeq === null ? undefined : await this.tripsRepo.position(trip.deviceId, episode.startSeq);
      const evidence = lifecycleEvidence(episode, place ?? { lat: null, lon: null }, trip.deviceId);
      if (evidence) await this.toLifecycle(trip, evidence);
    }
  }

  /** The first fix outside the origin warehouse after packing: the parcel has left. */
  private async noteDeparture(t: MonitoredTrip, readings: readonly Reading[]): Promise<void> {
    if (t.leftOrigin || !t.trip.origin || !this.o.lifecycle) return;
    const out = readings.filter((r) => r.lat !== undefined && t.stageAt(r) !== 'origin').sort((a, b) => a.ts - b.ts)[0];
    if (!out) return;
    t.leftOrigin = true;
    await this.toLifecycle(t.trip, {
      type: 'mark_in_transit', actor: { kind: 'tracker', id: t.trip.deviceId }, at: new Date(out.ts),
      reason: 'tracker left the origin geofence', data: { detail: `first fix outside the origin at ${out.lat}, ${out.lon}` },
    });
  }

  /** Tracker evidence the lifecycle does not allow in the sample's state is not an error. */
  private async toLifecycle(trip: ActiveTrip, event: EventInput): Promise<void> {
    try {
      await this.o.lifecycle!.applyEvent(trip.sampleId, event);
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'INVALID_TRANSITION' || err.code === 'NOT_FOUND')) {
        this.o.log.debug({ sampleId: trip.sampleId, event: event.type, err: err.message }, 'tracker evidence not applicable');
        return;
      }
      throw err;
    }
  }
}

function sameTrip(a: ActiveTrip, b: ActiveTrip): boolean {
  return a.sampleId === b.sampleId && JSON.stringify(a) === JSON.stringify(b);
}

/** The sample's own profile, else its product's; a bad stored profile falls back to the defaults, loudly. */
function profileOf(trip: ActiveTrip, log: Logger): ConditionProfile {
  try {
    return effectiveProfile(trip.productProfile, trip.sampleProfile).profile;
  } catch (err) {
    log.error({ err, sampleId: trip.sampleId, sku: trip.sku }, 'invalid condition profile; judging with the defaults');
    return DEFAULT_PROFILE;
  }
}

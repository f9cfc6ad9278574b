import {
  ConditionProfileSchema,
  TripEvaluator,
  effectiveProfile,
  type ConditionProfile,
  type EpisodeChanges,
} from '../core/domain/condition/index.ts';
import type { Stage } from '../core/domain/condition/types.ts';
import { DomainError } from '../core/domain/errors.ts';
import { stageByGeofence } from '../core/domain/geofence.ts';
import type { EventInput, SampleLifecycleService } from '../core/services/sample-lifecycle.service.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { Pool } from '../core/storage/database.ts';
import { raiseAlerts } from '../core/services/alert.service.ts';
import { withTransaction } from '../core/storage/transaction.ts';
import { ExceptionRepository, type TripChanges } from '../core/storage/repositories/exception.repository.ts';
import { TripRepository, type ActiveTrip } from '../core/storage/repositories/trip.repository.ts';
import { lifecycleEvidence } from './tracker-evidence.ts';

interface MonitoredTrip {
  trip: ActiveTrip;
  profile: ConditionProfile;
  evaluator: TripEvaluator;
  stageAt: (r: Reading) => Stage | null;
  /** Whether leaving the origin geofence was already reported to the lifecycle. */
  leftOrigin: boolean;
  /** After this, the device's sample is looked up again (a tracker may be re-packed, a receipt recorded). */
  checkAfter: number;
}

type TripSlot = MonitoredTrip | { none: true; checkAfter: number };

/** What one committed batch (or one tick) found: applied in one transaction, in this order. */
interface Judged {
  /** Differences found when trips were rebuilt from storage (their own pass: a trip appears once per pass). */
  rebuilt: { t: MonitoredTrip; changes: EpisodeChanges }[];
  judged: { t: MonitoredTrip; changes: EpisodeChanges }[];
}

/** How long a device's sample (or its absence) is trusted before it is looked up again. */
const RECHECK_MS = 15_000;

const DEFAULT_PROFILE = ConditionProfileSchema.parse({});

const isEmpty = (c: EpisodeChanges) =>
  !c.opened.length && !c.updated.length && !c.closed.length && !c.retracted.length && !c.corrected.length;

/**
 * Judges every stored reading against its sample's condition profile and raises
 * exceptions against the sample. Rule state lives in memory per trip (one engine step per
 * live reading); the database is the record: a trip seen for the first time since start
 * is rebuilt from its stored readings and the exceptions already raised, so a restart
 * neither misses nor repeats an episode.
 *
 * Work is serialised, so the evaluators see batches in the order they were committed, and
 * all the trips a batch touches are persisted in ONE transaction (exceptions, history,
 * alerts, webhook deliveries, NOTIFY): one commit per batch instead of one per device, so
 * the exception reaches the live socket right after it. Lifecycle evidence (departure,
 * receipt, transit damage) runs on its own serial queue after that commit and never holds
 * up the next batch's rules.
 */
export class ConditionMonitor {
  private readonly trips = new Map<string, TripSlot>();
  private chain: Promise<void> = Promise.resolve();
  /** Readings waiting for the pass in progress to finish; judged together in the next one. */
  private queued: { readings: Reading[]; done: Promise<void> } | null = null;
  private lifecycleChain: Promise<void> = Promise.resolve();
  private readonly tripsRepo: TripRepository;

  constructor(
    private readonly o: {
      pool: Pool;
      log: Logger;
      publicUrl: string;
      /** Where tracker evidence (transit damage, receipt, departure) moves the sample's lifecycle. */
      lifecycle?: Pick<SampleLifecycleService, 'applyEvent'>;
      now?: () => number;
    },
  ) {
    this.tripsRepo = new TripRepository(o.pool);
  }

  /**
   * Queues stored readings for judgement; returns when they have been judged and persisted.
   * Batches committed while the rules are busy are judged together, in commit order, as one
   * pass and one transaction: under load the rules catch up instead of queueing one commit
   * per ingest batch.
   */
  judge(readings: readonly Reading[]): Promise<void> {
    if (this.queued) {
      this.queued.readings.push(...readings);
      return this.queued.done;
    }
    const queued = { readings: [...readings], done: Promise.resolve() };
    this.queued = queued;
    queued.done = this.chain = this.chain
      .then(() => {
        this.queued = null;
        return this.process(queued.readings);
      })
      .catch((err: unknown) => {
        this.o.log.error({ err }, 'condition rules failed for a batch; the trip is re-judged from storage next time');
        for (const id of new Set(queued.readings.map((r) => r.deviceId))) this.trips.delete(id);
      });
    return queued.done;
  }

  /** Resolves once everything queued so far has been judged and its lifecycle evidence applied. */
  async drain(): Promise<void> {
    await this.chain;
    await this.lifecycleChain;
  }

  /**
   * Puts these devices' trips (or every trip on the road, without ids) under watch: the next
   * tick looks them up, rebuilds them from storage and checks their silence. Called at start
   * and when an ingest worker takes a partition, because a tracker that has gone quiet sends
   * nothing that would bring its trip back into memory, and its no-signal alert is the one
   * that matters after a restart.
   */
  async watch(deviceIds?: readonly string[]): Promise<void> {
    const ids = deviceIds ?? (await this.tripsRepo.activeDeviceIds());
    for (const id of ids) if (!this.trips.has(id)) this.trips.set(id, { none: true, checkAfter: 0 });
  }

  /**
   * Drops these devices' trips from memory once what was queued is judged: their partition
   * went to another ingest worker, which judges them from now on. Should it come back, the
   * trips are rebuilt from storage, never judged on what this worker last saw.
   */
  async forget(deviceIds: readonly string[]): Promise<void> {
    await this.drain();
    for (const id of deviceIds) this.trips.delete(id);
  }

  /**
   * Looks the trips up again at the next batch or tick (all of them, or these devices'):
   * for a change made elsewhere, e.g. a receipt and its trip end recorded by the lifecycle.
   */
  recheck(deviceIds?: readonly string[]): void {
    for (const [id, slot] of this.trips) if (!deviceIds || deviceIds.includes(id)) slot.checkAfter = 0;
  }

  /**
   * On the clock: re-checks the silence rule of every trip in memory, picks up trips whose
   * sample changed (receipt, trip end), ends trips whose end has passed and frees their trackers.
   */
  tick(): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        const now = this.now();
        const found: Judged = { rebuilt: [], judged: [] };
        const stale = [...this.trips].filter(([, slot]) => slot.checkAfter <= now).map(([id]) => id);
        if (stale.length) await this.refresh(stale, now, found);
        for (const t of this.trips.values())
          if (!('none' in t)) found.judged.push({ t, changes: t.evaluator.tick(now) });
        await this.persist(found);
        await this.endTrips(found, now);
      })
      .catch((err: unknown) => this.o.log.error({ err }, 'condition tick failed'));
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
    const found: Judged = { rebuilt: [], judged: [] };
    const stale = [...byDevice.keys()].filter((id) => (this.trips.get(id)?.checkAfter ?? 0) <= now);
    if (stale.length) await this.refresh(stale, now, found);
    const departures: { t: MonitoredTrip; readings: Reading[] }[] = [];
    for (const [deviceId, list] of byDevice) {
      const t = this.trips.get(deviceId);
      if (!t || 'none' in t) continue;
      found.judged.push({ t, changes: t.evaluator.add(list, now) });
      departures.push({ t, readings: list });
    }
    await this.persist(found);
    for (const d of departures) this.noteDeparture(d.t, d.readings);
    await this.endTrips(found, now);
  }

  /** Looks up the devices' current trips; a new or changed trip gets an evaluator rebuilt from storage. */
  private async refresh(deviceIds: string[], now: number, found: Judged): Promise<void> {
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
      const t = await this.rebuild(trip, now, found);
      // A trip changed under a tracker already on its way (receipt recorded) has left already.
      if (current && !('none' in current) && current.trip.sampleId === trip.sampleId) t.leftOrigin = current.leftOrigin;
      this.trips.set(id, t);
    }
  }

  private async rebuild(trip: ActiveTrip, now: number, found: Judged): Promise<MonitoredTrip> {
    const exceptions = new ExceptionRepository(this.o.pool);
    const [stored, known] = await Promise.all([
      this.tripsRepo.readings(trip.deviceId, trip.since),
      exceptions.knownEpisodes(trip.sampleId, trip.deviceId),
    ]);
    const stageAt = stageByGeofence({ origin: trip.origin, destination: trip.destination, radiusM: trip.radiusM });
    const profile = profileOf(trip, this.o.log);
    // The tracker is switched on when the parcel is packed: its first reading of the trip. A tracker
    // re-used after an earlier trip was on before this one: its trip starts when it was attached.
    const firstTs = stored[0]?.ts;
    const startedAt = trip.since && firstTs !== undefined ? Math.max(firstTs, trip.attachedAt.getTime()) : firstTs;
    const evaluator = new TripEvaluator(
      profile,
      {
        ...(startedAt !== undefined ? { startedAt } : {}),
        stageAt,
        // Packed at the warehouse: until a fix says otherwise, a parcel with an origin is there.
        initialStage: trip.origin ? 'origin' : 'in_transit',
        ...(trip.receivedAt ? { receivedAt: trip.receivedAt.getTime() } : {}),
        ...(trip.tripEndsAt ? { endsAt: trip.tripEndsAt.getTime() } : {}),
      },
      { known },
    );
    const t: MonitoredTrip = { trip, profile, evaluator, stageAt, leftOrigin: false, checkAfter: now + RECHECK_MS };
    // Differences against what was raised before (readings stored just before a crash, a receipt that moved the stages) come out here.
    found.rebuilt.push({ t, changes: evaluator.add(stored, now) });
    return t;
  }

  /** Everything found, in one transaction: exception rows, history, alerts, webhook deliveries and the NOTIFY. */
  private async persist(found: Judged): Promise<void> {
    const toItems = (list: Judged['judged']): TripChanges[] =>
      list
        .filter((x) => !isEmpty(x.changes))
        .map((x) => ({ sampleId: x.t.trip.sampleId, deviceId: x.t.trip.deviceId, changes: x.changes }));
    const passes = [toItems(found.rebuilt), toItems(found.judged)].filter((items) => items.length > 0);
    if (!passes.length) return;
    const recordedAt = new Date(this.now());
    await withTransaction(this.o.pool, async (sql) => {
      const repo = new ExceptionRepository(sql);
      const touched: number[] = [];
      const events = [];
      for (const items of passes) {
        const r = await repo.applyBatch(items, recordedAt);
        touched.push(...r.touched);
        events.push(...r.events);
      }
      await repo.notifyChanged(touched);
      await raiseAlerts(sql, events, this.o.publicUrl);
    });
    if (!this.o.lifecycle) return;
    // Re-reported episodes (after a restart) meet a lifecycle that has moved on and refuses them.
    for (const { t, changes } of [...found.rebuilt, ...found.judged]) {
      for (const episode of changes.opened) {
        this.later(async () => {
          const place =
            episode.startSeq === null ? undefined : await this.tripsRepo.position(t.trip.deviceId, episode.startSeq);
          const evidence = lifecycleEvidence(
            episode,
            place ?? { lat: null, lon: null },
            t.trip.deviceId,
            t.profile.damageSeverity,
          );
          if (evidence) await this.toLifecycle(t.trip, evidence);
        });
      }
    }
  }

  /**
   * Trips whose end has passed, now that everything that arrived has been judged: the
   * tracker is detached at the trip end (its history stays with this sample) and is free
   * for the next one. A reading that arrives later for the old trip is no longer judged.
   */
  private async endTrips(found: Judged, now: number): Promise<void> {
    const seen = new Set<MonitoredTrip>();
    for (const { t } of [...found.rebuilt, ...found.judged]) {
      if (seen.has(t)) continue;
      seen.add(t);
      const endsAt = t.trip.tripEndsAt;
      if (!endsAt || now < endsAt.getTime() || !t.evaluator.ended) continue;
      const freed = await this.tripsRepo.detachAtTripEnd(t.trip.deviceId, t.trip.sampleId, endsAt);
      if (freed)
        this.o.log.info(
          { deviceId: t.trip.deviceId, sampleId: t.trip.sampleId, endsAt },
          'trip ended; tracker detached',
        );
      this.trips.set(t.trip.deviceId, { none: true, checkAfter: 0 });
    }
  }

  /** The first fix outside the origin warehouse after packing: the parcel has left. */
  private noteDeparture(t: MonitoredTrip, readings: readonly Reading[]): void {
    if (t.leftOrigin || !t.trip.origin || !this.o.lifecycle) return;
    const out = readings.filter((r) => r.lat !== undefined && t.stageAt(r) !== 'origin').sort((a, b) => a.ts - b.ts)[0];
    if (!out) return;
    t.leftOrigin = true;
    this.later(() =>
      this.toLifecycle(t.trip, {
        type: 'mark_in_transit',
        actor: { kind: 'tracker', id: t.trip.deviceId },
        at: new Date(out.ts),
        reason: 'tracker left the origin geofence',
        data: { detail: `first fix outside the origin at ${out.lat}, ${out.lon}` },
      }),
    );
  }

  /** Lifecycle work, in order, after the rules' commit and off their queue. */
  private later(work: () => Promise<void>): void {
    this.lifecycleChain = this.lifecycleChain.then(work).catch((err: unknown) => {
      this.o.log.error({ err }, 'tracker evidence could not be applied to the lifecycle');
    });
  }

  /** Tracker evidence the lifecycle does not allow in the sample's state is not an error. */
  private async toLifecycle(trip: ActiveTrip, event: EventInput): Promise<void> {
    try {
      await this.o.lifecycle!.applyEvent(trip.sampleId, event);
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'INVALID_TRANSITION' || err.code === 'NOT_FOUND')) {
        this.o.log.debug(
          { sampleId: trip.sampleId, event: event.type, err: err.message },
          'tracker evidence not applicable',
        );
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

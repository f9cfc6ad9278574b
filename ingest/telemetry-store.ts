import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { Pool } from '../core/storage/database.ts';
import { isDataException, withTransaction } from '../core/storage/transaction.ts';
import { DeviceRepository } from '../core/storage/repositories/device.repository.ts';
import { ParcelRepository } from '../core/storage/repositories/parcel.repository.ts';
import {
  TelemetryRepository,
  readingJson,
  type DeadLetter,
  type ParcelUpdate,
} from '../core/storage/repositories/telemetry.repository.ts';
import type { Batch, FlushResult } from './batch-writer.ts';

/**
 * Writes one ingest batch in one transaction: the readings (duplicates skipped by
 * (device, seq) whatever their ts; a copy with another ts becomes a dead letter), the dead
 * letters, each parcel's latest state, and a notice to live listeners that goes out only
 * when all of it is committed.
 */
export function createTelemetryStore(pool: Pool) {
  // Provisioned devices seen so far: a device is never deleted, so a hit needs no query.
  const provisioned = new Set<string>();
  async function store(batch: Batch): Promise<FlushResult> {
    try {
      return await storeAtomically(batch);
    } catch (err) {
      if (!isDataError(err)) throw err; // the database is away: the writer retries the batch
      return storePiecewise(batch);
    }
  }

  /**
   * A batch the database refuses for its content would be refused on every retry and hold
   * every tracker's acknowledgements behind it. The parser keeps such values out; should
   * one get through anyway, each reading is stored alone and the one refused becomes a
   * dead letter, so the rest of the batch (and the stream) goes on.
   */
  async function storePiecewise(batch: Batch): Promise<FlushResult> {
    const total: FlushResult = {
      stored: [],
      duplicates: 0,
      duplicatesByReason: { sameTs: 0, conflictingTs: 0 },
      unknown: 0,
    };
    const refused: DeadLetter[] = [];
    for (const reading of batch.readings) {
      try {
        const r = await storeAtomically({ readings: [reading], deadLetters: [] });
        total.stored.push(...r.stored);
        total.duplicates += r.duplicates;
        total.duplicatesByReason.sameTs += r.duplicatesByReason.sameTs;
        total.duplicatesByReason.conflictingTs += r.duplicatesByReason.conflictingTs;
        total.unknown += r.unknown;
      } catch (err) {
        if (!isDataError(err)) throw err;
        refused.push(unstorableLetter(reading, err as Error));
      }
    }
    total.unstorable = refused.length;
    const letters = [...batch.deadLetters, ...refused];
    try {
      await storeAtomically({ readings: [], deadLetters: letters });
    } catch (err) {
      if (!isDataError(err)) throw err;
      // Last resort: the evidence is what the database cannot hold; keep the reason.
      await storeAtomically({ readings: [], deadLetters: letters.map((l) => ({ ...l, raw: '(not storable)' })) });
    }
    return total;
  }

  return store;

  function storeAtomically(batch: Batch): Promise<FlushResult> {
    return withTransaction(pool, async (client) => {
      const telemetry = new TelemetryRepository(client);
      // Behind an external broker anyone the broker lets in can publish: readings of a
      // tracker we never provisioned are kept aside, not stored (one query per batch).
      const unseen = new Set(batch.readings.map((r) => r.deviceId).filter((id) => !provisioned.has(id)));
      for (const id of await new DeviceRepository(client).existing(unseen)) provisioned.add(id);
      const readings = batch.readings.filter((r) => provisioned.has(r.deviceId));
      const unknown = batch.readings.filter((r) => !provisioned.has(r.deviceId)).map(unknownDeviceLetter);
      const { inserted: stored, duplicates } = await telemetry.insertReadings(readings);
      const conflicting = duplicates.filter((d) => d.storedTs !== d.reading.ts);
      await telemetry.insertDeadLetters([...batch.deadLetters, ...unknown, ...conflicting.map(conflictLetter)]);
      const latest = latestPerDevice(stored, readings);
      await telemetry.upsertParcelStates(latest);
      // A batch of duplicates only still moves last_seen_at, which the live map shows.
      if (latest.length) await new ParcelRepository(client).notifyChanged(latest.map((u) => u.reading.deviceId));
      return {
        stored,
        duplicates: duplicates.length,
        duplicatesByReason: { sameTs: duplicates.length - conflicting.length, conflictingTs: conflicting.length },
        unknown: unknown.length,
      };
    });
  }
}

/**
 * A data exception, a program limit (SQLSTATE class 54, e.g. JSON too deep for jsonb) or a
 * value the driver could not serialize (RangeError): retrying the same data cannot help.
 */
function isDataError(err: unknown): boolean {
  if (err instanceof RangeError || isDataException(err)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('54');
}

function unstorableLetter(r: Reading, err: Error): DeadLetter {
  let raw: string;
  try {
    raw = JSON.stringify(readingJson(r));
  } catch {
    raw = `{"seq":${r.seq}}`;
  }
  return {
    deviceId: r.deviceId,
    topic: `trackers/${r.deviceId}/telemetry`,
    reason: 'unstorable',
    detail: `the database refused the reading: ${err.message}`.slice(0, 2000),
    seq: r.seq,
    raw,
    rawBytes: 0,
    receivedAt: r.receivedAt,
  };
}

/**
 * Per device in a batch: the newest stored reading by event time, and the last time anything
 * arrived from it (a late batch says nothing new about position but does say the tracker
 * is alive; so does a duplicate, which is never shown as the parcel's reading).
 */
export function latestPerDevice(stored: readonly Reading[], received: readonly Reading[] = stored): ParcelUpdate[] {
  const latest = new Map<string, ParcelUpdate>();
  for (const r of stored) {
    const cur = latest.get(r.deviceId);
    if (!cur) latest.set(r.deviceId, { reading: r, lastSeenAt: r.receivedAt });
    else if (r.ts > cur.reading.ts || (r.ts === cur.reading.ts && r.seq > cur.reading.seq)) cur.reading = r;
  }
  for (const r of received) {
    const cur = latest.get(r.deviceId);
    if (!cur) latest.set(r.deviceId, { reading: r, lastSeenAt: r.receivedAt, seenOnly: true });
    else cur.lastSeenAt = Math.max(cur.lastSeenAt, r.receivedAt);
  }
  return [...latest.values()];
}

/**
 * A resend of a stored seq with another ts: not stored (the first copy is the reading),
 * kept aside so a firmware clock or counter bug is visible (dead_letters, and the
 * sampletrack_readings_duplicate_total{reason="conflicting_ts"} counter).
 */
function conflictLetter({ reading: r, storedTs }: { reading: Reading; storedTs: number }): DeadLetter {
  return {
    deviceId: r.deviceId,
    topic: `trackers/${r.deviceId}/telemetry`,
    reason: 'duplicate_seq_conflict',
    detail: `seq ${r.seq} is already stored with ts ${new Date(storedTs).toISOString()}; this copy has ts ${new Date(r.ts).toISOString()} and was not stored`,
    seq: r.seq,
    raw: JSON.stringify(readingJson(r)),
    rawBytes: 0,
    receivedAt: r.receivedAt,
  };
}

function unknownDeviceLetter(r: Reading): DeadLetter {
  return {
    deviceId: r.deviceId,
    topic: `trackers/${r.deviceId}/telemetry`,
    reason: 'unknown_device',
    detail: `device ${r.deviceId} is not provisioned`,
    seq: r.seq,
    raw: JSON.stringify(readingJson(r)),
    rawBytes: 0,
    receivedAt: r.receivedAt,
  };
}

import type { Reading } from '../core/protocol/tracker-protocol.ts';
import type { Pool } from '../core/storage/database.ts';
import { withTransaction } from '../core/storage/transaction.ts';
import { DeviceRepository } from '../core/storage/repositories/device.repository.ts';
import { ParcelRepository } from '../core/storage/repositories/parcel.repository.ts';
import { TelemetryRepository, readingJson, type DeadLetter, type ParcelUpdate } from '../core/storage/repositories/telemetry.repository.ts';
import type { Batch, FlushResult } from './batch-writer.ts';

/**
 * Writes one ingest batch in one transaction: the readings (duplicates skipped by
 * (device, seq)), the dead letters, each parcel's latest state, and a notice to live
 * listeners that goes out only when all of it is committed.
 */
export function createTelemetryStore(pool: Pool) {
  // Provisioned devices seen so far: a device is never deleted, so a hit needs no query.
  const provisioned = new Set<string>();
  return function store(batch: Batch): Promise<FlushResult> {
    return withTransaction(pool, async (client) => {
      const telemetry = new TelemetryRepository(client);
      // Behind an external broker anyone the broker lets in can publish: readings of a
      // tracker we never provisioned are kept aside, not stored (one query per batch).
      const unseen = new Set(batch.readings.map((r) => r.deviceId).filter((id) => !provisioned.has(id)));
      for (const id of await new DeviceRepository(client).existing(unseen)) provisioned.add(id);
      const readings = batch.readings.filter((r) => provisioned.has(r.deviceId));
      const unknown = batch.readings.filter((r) => !provisioned.has(r.deviceId)).map(unknownDeviceLetter);
      const inserted = await telemetry.insertReadings(readings);
      await telemetry.insertDeadLetters([...batch.deadLetters, ...unknown]);
      const stored = readings.filter((r) => inserted.has(`${r.deviceId}\u0000${r.seq}`));
      const latest = latestPerDevice(readings);
      await telemetry.upsertParcelStates(latest);
      if (latest.length) await new ParcelRepository(client).notifyChanged(latest.map((u) => u.reading.deviceId));
      return { stored, duplicates: readings.length - stored.length, unknown: unknown.length };
    });
  };
}

/**
 * Per device in a batch: the newest reading by event time, and the last time anything
 * arrived from it (a late batch says nothing new about position but does say the tracker
 * is alive).
 */
export function latestPerDevice(readings: readonly Reading[]): ParcelUpdate[] {
  const latest = new Map<string, ParcelUpdate>();
  for (const r of readings) {
    const cur = latest.get(r.deviceId);
    if (!cur) latest.set(r.deviceId, { reading: r, lastSeenAt: r.receivedAt });
    else {
      if (r.ts > cur.reading.ts || (r.ts === cur.reading.ts && r.seq > cur.reading.seq)) cur.reading = r;
      cur.lastSeenAt = Math.max(cur.lastSeenAt, r.receivedAt);
    }
  }
  return [...latest.values()];
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

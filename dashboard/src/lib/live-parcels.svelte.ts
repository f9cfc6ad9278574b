import { flushSync, untrack } from 'svelte';
import type { Parcel, Reading } from '$lib/api';
import { freshnessOf, isReporting, parseTime } from '$lib/freshness';

/** One table row: a parcel's latest state, and what the view needs to show that it changed. */
export class ParcelRow {
  readonly deviceId: string;
  // Raw: a parcel is always replaced whole, so a change re-renders only this row.
  #parcel = $state.raw() as Parcel;
  /** Counts changes after the row first appeared; each one flashes the row. */
  changes = $state(0);
  /** Browser time of the last change, to tell a live change from an older snapshot's view. */
  changedAt: number;
  /** Parsed `parcel.lastSeenAt`; plain, for fleet-wide passes that track `revision` instead. */
  lastSeenMs: number | null = null;

  constructor(parcel: Parcel, now: number) {
    this.deviceId = parcel.deviceId;
    this.parcel = parcel;
    this.changedAt = now;
  }

  get parcel(): Parcel {
    return this.#parcel;
  }

  set parcel(parcel: Parcel) {
    this.#parcel = parcel;
    this.lastSeenMs = parseTime(parcel.lastSeenAt);
  }
}

export interface ParcelCounts {
  total: number;
  /** Heard from within the silence threshold… */
  reporting: number;
  /** …of which in the last few minutes. */
  live: number;
  /** Not heard from for longer than the threshold, or never. */
  silent: number;
  online: number;
}

// Past this many new parcels in one go, one sort beats inserting each in place.
const SORT_INSTEAD_OF_INSERT = 32;
// User Timing entries are kept until cleared; a dashboard left open for days must not grow.
const MAX_KEPT_MEASURES = 500;

/**
 * The parcels on screen, kept current from snapshots (GET /api/parcels) and the live feed.
 *
 * Rows live in a Map by device id and are updated in place; the ordered `rows` list is
 * only replaced when a parcel appears or goes, never re-sorted for an update. Live changes
 * are queued and applied together once per animation frame, so a burst of messages costs
 * one render, and a hidden tab (no frames) just holds the latest state of each parcel.
 */
export class LiveParcels {
  #byId = new Map<string, ParcelRow>();
  /** Rows in device id order. */
  rows = $state.raw<ParcelRow[]>([]);
  /**
   * Bumped whenever any row changes. Passes over the whole fleet (counts, filters) depend
   * on this one signal and read the rows untracked: depending on 2,000 rows each would
   * cost more in bookkeeping than the pass itself.
   */
  revision = $state(0);
  #pending = new Map<string, Parcel>();
  #frame = 0;
  #measures = 0;

  constructor(parcels: readonly Parcel[]) {
    const now = Date.now();
    for (const parcel of parcels) this.#byId.set(parcel.deviceId, new ParcelRow(parcel, now));
    this.rows = sortRows([...this.#byId.values()]);
  }

  /**
   * Merges a full snapshot requested at `requestedAt` (browser time). Rows the live feed
   * changed after that moment may be newer than the snapshot and are kept as they are,
   * including ones the snapshot does not know about yet.
   */
  applySnapshot(parcels: readonly Parcel[], requestedAt: number): void {
    const start = performance.now();
    const now = Date.now();
    const seen = new Set<string>();
    const added: ParcelRow[] = [];
    let changed = false;
    for (const parcel of parcels) {
      seen.add(parcel.deviceId);
      const row = this.#byId.get(parcel.deviceId);
      if (!row) {
        const fresh = new ParcelRow(parcel, now);
        this.#byId.set(parcel.deviceId, fresh);
        added.push(fresh);
      } else if (!(row.changedAt > requestedAt && isOlder(parcel, row))) {
        if (this.#update(row, parcel, now)) changed = true;
      }
    }
    let removed = false;
    for (const [id, row] of this.#byId) {
      if (!seen.has(id) && row.changedAt <= requestedAt) {
        this.#byId.delete(id);
        removed = true;
      }
    }
    if (added.length || removed) {
      const kept = removed ? this.rows.filter((r) => this.#byId.get(r.deviceId) === r) : this.rows;
      this.rows = withAdded(kept, added);
    }
    if (changed) this.revision += 1;
    this.#measure('parcels:snapshot', start, parcels.length);
  }

  /** Queues parcels from the live feed for the next animation frame. */
  queue(parcels: readonly Parcel[]): void {
    for (const parcel of parcels) this.#pending.set(parcel.deviceId, parcel);
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.#flush());
  }

  #flush(): void {
    this.#frame = 0;
    const batch = this.#pending;
    this.#pending = new Map();
    const start = performance.now();
    const now = Date.now();
    // The DOM is updated inside this frame, before paint, and the measure below covers it.
    flushSync(() => {
      const added: ParcelRow[] = [];
      let changed = false;
      for (const parcel of batch.values()) {
        const row = this.#byId.get(parcel.deviceId);
        if (!row) {
          const fresh = new ParcelRow(parcel, now);
          this.#byId.set(parcel.deviceId, fresh);
          added.push(fresh);
        } else if (!isOlder(parcel, row) && this.#update(row, parcel, now)) {
          changed = true;
        }
      }
      if (added.length) this.rows = withAdded(this.rows, added);
      if (changed) this.revision += 1;
    });
    this.#measure('parcels:apply', start, batch.size);
  }

  // Visible in the browser's performance panel; the browser test reads them too.
  #measure(name: string, start: number, parcels: number): void {
    if (++this.#measures > MAX_KEPT_MEASURES) {
      performance.clearMeasures('parcels:apply');
      performance.clearMeasures('parcels:snapshot');
      this.#measures = 1;
    }
    performance.measure(name, { start, end: performance.now(), detail: { parcels } });
  }

  /** Whether the row took the parcel (false when nothing in it changed). */
  #update(row: ParcelRow, parcel: Parcel, now: number): boolean {
    if (sameParcel(row.parcel, parcel)) return false;
    row.parcel = parcel;
    row.changes += 1;
    row.changedAt = now;
    return true;
  }

  counts(nowMs: number): ParcelCounts {
    const rows = this.rows;
    void this.revision;
    return untrack(() => {
      const counts: ParcelCounts = { total: 0, reporting: 0, live: 0, silent: 0, online: 0 };
      for (const row of rows) {
        const freshness = freshnessOf(row.lastSeenMs, nowMs);
        counts.total += 1;
        if (isReporting(freshness)) counts.reporting += 1;
        else counts.silent += 1;
        if (freshness === 'live') counts.live += 1;
        if (row.parcel.online) counts.online += 1;
      }
      return counts;
    });
  }

  /** Rows matching `keep`, read the same way as counts: one dependency, not one per row. */
  filter(keep: (parcel: Parcel, row: ParcelRow) => boolean): ParcelRow[] {
    const rows = this.rows;
    void this.revision;
    return untrack(() => rows.filter((row) => keep(row.parcel, row)));
  }

  /** Drops a queued frame; the page calls this when it goes away. */
  dispose(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#pending.clear();
  }
}

// Code-unit order, not the database's collation: it is what the binary search relies on.
const byDeviceId = (a: ParcelRow, b: ParcelRow) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0);

function sortRows(rows: ParcelRow[]): ParcelRow[] {
  return rows.sort(byDeviceId);
}

/** A new ordered list with `added` in place; `rows` is left untouched. */
function withAdded(rows: readonly ParcelRow[], added: readonly ParcelRow[]): ParcelRow[] {
  if (added.length === 0) return rows.slice();
  if (added.length > SORT_INSTEAD_OF_INSERT) return sortRows([...rows, ...added]);
  const next = rows.slice();
  for (const row of added) {
    let lo = 0;
    let hi = next.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (next[mid]!.deviceId < row.deviceId) lo = mid + 1;
      else hi = mid;
    }
    next.splice(lo, 0, row);
  }
  return next;
}

/**
 * Whether `candidate` is an older state of the parcel than `current`. Every message carries
 * a parcel's full latest state, so the only way to go back in time is a snapshot that was
 * read before a live message but arrived after it; last-seen time tells them apart.
 */
function isOlder(candidate: Parcel, current: ParcelRow): boolean {
  const b = current.lastSeenMs;
  if (b === null || candidate.lastSeenAt === current.parcel.lastSeenAt) return false;
  const a = parseTime(candidate.lastSeenAt);
  return a === null || a < b;
}

// Most likely to differ first: a live change almost always moves lastSeenAt.
const PARCEL_FIELDS = [
  'lastSeenAt',
  'ts',
  'online',
  'lat',
  'lon',
  'batteryPct',
  'sampleStatus',
  'sampleId',
  'creator',
  'sku',
  'fw',
] as const satisfies readonly (keyof Parcel)[];

/** Same content, so that re-reading an unchanged parcel neither re-renders nor flashes it. */
function sameParcel(a: Parcel, b: Parcel): boolean {
  for (const field of PARCEL_FIELDS) if (a[field] !== b[field]) return false;
  return sameReading(a.reading, b.reading);
}

function sameReading(a: Reading | null, b: Reading | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const keys = Object.keys(a) as (keyof Reading)[];
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (k) => a[k] === b[k] || (typeof a[k] === 'object' && JSON.stringify(a[k]) === JSON.stringify(b[k])),
  );
}

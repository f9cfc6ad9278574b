import { NONE, dateTimeTitle } from './datetime.ts';

/** Display formats for the ops tables: short, fixed precision, one placeholder for "none". */

export { NONE };

/** A number with fixed decimals, or the placeholder when the tracker did not measure it. */
export function formatNumber(value: number | null | undefined, decimals: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? NONE : value.toFixed(decimals);
}

/** "12 s ago", "5 min ago", "3 h 20 min ago", "4 d ago". A future time (clock skew) reads as now. */
export function formatAgo(ageMs: number): string {
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 10) return min % 60 ? `${h} h ${min % 60} min ago` : `${h} h ago`;
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/**
 * Latitude and longitude to 3 decimals (about 100 m): enough to see where a parcel is,
 * narrow enough for the table. The cell's title has the full fix.
 */
export function formatPosition(lat: number | null, lon: number | null): string {
  if (lat === null || lon === null) return NONE;
  return `${lat.toFixed(3)}, ${lon.toFixed(3)}`;
}

/** A full timestamp for tooltips: the reader's zone to the second, then UTC. */
export function formatFullTime(ms: number | null): string {
  return dateTimeTitle(ms);
}

/** "1 h 25 min", "40 min", "2 d 3 h": a length of time, not an age. */
export function formatDuration(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Cents as dollars: "$12.50", or "—". */
export function formatMoney(cents: number | null | undefined): string {
  if (cents === null || cents === undefined || !Number.isFinite(cents)) return NONE;
  return `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A ratio as a percentage: "42.9 %", or "—". */
export function formatRate(rate: number | null | undefined, decimals = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NONE;
  return `${(rate * 100).toFixed(decimals)} %`;
}

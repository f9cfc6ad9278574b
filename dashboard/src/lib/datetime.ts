/**
 * The dashboard's one way to write an instant: "Dec 2, 2026, 14:05 GMT+1", in the viewer's
 * time zone with the zone shown, and the same instant in UTC for a tooltip. Pure: the zone
 * and locale are parameters (the browser's by default), so tests give them explicitly.
 *
 * The locale is fixed to en-US for the wording (the dashboard is in English; a German
 * browser must not turn "Dec" into "Dez." on one page and not another); the zone is the
 * viewer's, since "14:05" only means something in the reader's own day.
 */

export const NONE = '—';
const LOCALE = 'en-US';

export interface ZoneOptions {
  /** IANA zone, e.g. "Europe/Berlin"; the browser's when omitted. */
  timeZone?: string;
}

// Formatters are costly to build and this runs for thousands of rows: one per zone and shape.
const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(shape: 'minute' | 'second' | 'day', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${shape}|${timeZone ?? ''}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      ...(shape === 'day'
        ? {}
        : {
            hour: '2-digit',
            minute: '2-digit',
            ...(shape === 'second' ? { second: '2-digit' } : {}),
            hourCycle: 'h23',
            timeZoneName: 'short',
          }),
    } as Intl.DateTimeFormatOptions);
    cache.set(key, f);
  }
  return f;
}

/** Milliseconds since the epoch from an ISO string, a number or a Date; null when none. */
export function toMs(value: string | number | Date | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** "Dec 2, 2026, 14:05 GMT+1": the instant in the viewer's zone (or the given one), zone shown. */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  options: ZoneOptions & { seconds?: boolean } = {},
): string {
  const ms = toMs(value);
  if (ms === null) return NONE;
  return formatter(options.seconds ? 'second' : 'minute', options.timeZone).format(ms);
}

/** "Dec 2, 2026, 13:05:09 UTC": the instant in UTC, to the second, for the tooltip. */
export function formatUtc(value: string | number | Date | null | undefined): string {
  return formatDateTime(value, { timeZone: 'UTC', seconds: true });
}

/** "Dec 2, 2026": a calendar day (a KPI period bound, a provisioning day), no time, no zone. */
export function formatDay(value: string | number | Date | null | undefined, options: ZoneOptions = {}): string {
  const ms = toMs(value);
  return ms === null ? NONE : formatter('day', options.timeZone).format(ms);
}

/** The tooltip of every shown time: the local instant to the second, then UTC. */
export function dateTimeTitle(value: string | number | Date | null | undefined, options: ZoneOptions = {}): string {
  const ms = toMs(value);
  if (ms === null) return '';
  return `${formatDateTime(ms, { ...options, seconds: true })} · ${formatUtc(ms)}`;
}

/** The `datetime` attribute of a <time>: ISO 8601 in UTC. */
export function isoOf(value: string | number | Date | null | undefined): string | undefined {
  const ms = toMs(value);
  return ms === null ? undefined : new Date(ms).toISOString();
}

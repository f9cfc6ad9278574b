/**
 * When a notice goes out: at once, after the subscriber's quiet hours, or with the digest.
 * Times of day are the subscriber's (their IANA time zone); a critical exception is never
 * held, by quiet hours or a digest: waking someone is the point.
 */
import type { Severity } from './matching.ts';

export type Digest = 'none' | 'hourly' | 'daily';

export interface Timing {
  digest: Digest;
  /** 'HH:MM' or 'HH:MM:SS', local to `tz`; both set or neither. */
  quietStart: string | null;
  quietEnd: string | null;
  tz: string;
}

export type Schedule = { status: 'queued'; at: Date } | { status: 'held'; heldFor: 'quiet' | 'digest'; at: Date };

const MIN = 60_000;

/** Whether `tz` is a time zone this runtime knows. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since local midnight at `at` in `tz`. */
export function localMinutes(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at)
    .reduce<Record<string, string>>((m, p) => ({ ...m, [p.type]: p.value }), {});
  return Number(parts.hour) * 60 + Number(parts.minute);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Whether `at` falls in the quiet window [start, end) — a window may cross midnight (22:00–07:00). */
export function inQuietHours(at: Date, t: Pick<Timing, 'quietStart' | 'quietEnd' | 'tz'>): boolean {
  if (!t.quietStart || !t.quietEnd) return false;
  const s = minutesOf(t.quietStart);
  const e = minutesOf(t.quietEnd);
  if (s === e) return false;
  const now = localMinutes(at, t.tz);
  return s < e ? now >= s && now < e : now >= s || now < e;
}

/** The start of the local minute the quiet window ends at, after `at` (which is inside it). */
export function quietEndsAt(at: Date, t: Pick<Timing, 'quietStart' | 'quietEnd' | 'tz'>): Date {
  const e = minutesOf(t.quietEnd!);
  const wait = (e - localMinutes(at, t.tz) + 1440) % 1440 || 1440;
  return new Date(Math.floor(at.getTime() / MIN) * MIN + wait * MIN);
}

/** The next digest after `at`: the next full hour, or the next local midnight. */
export function nextDigestAt(at: Date, digest: Exclude<Digest, 'none'>, tz: string): Date {
  const minute = Math.floor(at.getTime() / MIN) * MIN;
  if (digest === 'hourly') return new Date(Math.floor(at.getTime() / (60 * MIN)) * 60 * MIN + 60 * MIN);
  return new Date(minute + (1440 - localMinutes(at, tz)) * MIN);
}

/**
 * When a new notice goes out. A digest holds it to the next digest; quiet hours hold it to
 * their end (and a digest falling in quiet hours waits for their end too).
 */
export function schedule(at: Date, severity: Severity, t: Timing): Schedule {
  if (severity === 'critical') return { status: 'queued', at };
  let release = at;
  let heldFor: 'quiet' | 'digest' | undefined;
  if (t.digest !== 'none') {
    release = nextDigestAt(at, t.digest, t.tz);
    heldFor = 'digest';
  }
  if (inQuietHours(release, t)) {
    release = quietEndsAt(release, t);
    heldFor ??= 'quiet';
  }
  return heldFor ? { status: 'held', heldFor, at: release } : { status: 'queued', at };
}

/** The KPI page's period: [from, to) in whole local days, and the step of its charts. */
export type Every = 'day' | 'week' | 'month';

export interface Period {
  fromMs: number;
  toMs: number;
  every: Every;
}

const DAY = 86_400_000;

export function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** `yyyy-mm-dd` in local time. */
export function dayInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function parseDay(v: string | null): number | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).getTime();
}

/** The period in the URL (`from`, `to` inclusive days, `every`), or the last 12 weeks. */
export function periodFromUrl(url: URL, now = Date.now()): Period {
  const toDay = parseDay(url.searchParams.get('to'));
  const fromDay = parseDay(url.searchParams.get('from'));
  const toMs = toDay !== null ? toDay + DAY : startOfDay(now) + DAY;
  let fromMs = fromDay ?? toMs - 84 * DAY;
  if (fromMs >= toMs) fromMs = toMs - DAY;
  const span = toMs - fromMs;
  const asked = url.searchParams.get('every');
  const every: Every =
    asked === 'day' || asked === 'week' || asked === 'month'
      ? asked
      : span <= 31 * DAY
        ? 'day'
        : span <= 200 * DAY
          ? 'week'
          : 'month';
  return { fromMs, toMs, every };
}

/** At most 60 steps: a longer series is not readable and costs one request each. */
const MAX_STEPS = 60;

export function intervals(fromMs: number, toMs: number, every: Every): { fromMs: number; toMs: number }[] {
  const out: { fromMs: number; toMs: number }[] = [];
  let t = fromMs;
  while (t < toMs && out.length < MAX_STEPS) {
    const d = new Date(t);
    if (every === 'day') d.setDate(d.getDate() + 1);
    else if (every === 'week') d.setDate(d.getDate() + 7);
    else d.setMonth(d.getMonth() + 1);
    const next = Math.min(d.getTime(), toMs);
    out.push({ fromMs: t, toMs: next });
    t = next;
  }
  return out;
}

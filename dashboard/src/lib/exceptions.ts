import type { ConditionException, Disposition, ExceptionStatus, Severity } from './api';
import { formatDuration, formatNumber } from './format';

/** How condition exceptions read to a person: names, units, the inbox's order. */

const TYPE_LABEL: Record<string, string> = {
  too_hot: 'Too hot',
  too_cold: 'Too cold',
  budget_exceeded: 'Out-of-range budget used up',
  too_humid: 'Too humid',
  too_dry: 'Too dry',
  shock: 'Shock',
  tilted: 'Tilted',
  opened_in_transit: 'Opened in transit',
  opened_at_destination: 'Opened at destination',
  battery_low: 'Tracker battery low',
  no_signal: 'No signal',
};

export function exceptionLabel(type: string): string {
  return TYPE_LABEL[type] ?? type.replaceAll('_', ' ');
}

export const STAGE_LABEL: Record<string, string> = {
  origin: 'at origin',
  in_transit: 'in transit',
  destination: 'at destination',
};

export const DISPOSITIONS: { value: Disposition; label: string }[] = [
  { value: 'accept', label: 'Accept (usable as is)' },
  { value: 'reship', label: 'Reship' },
  { value: 'write_off', label: 'Write off' },
  { value: 'carrier_claim', label: 'Carrier claim' },
];

export { formatDuration };

/** "peak 31.0 °C, limit 28 °C": how much, in the rule's unit. */
export function formatMagnitude(e: Pick<ConditionException, 'type' | 'rule' | 'peak' | 'limit'>): string {
  switch (e.type) {
    case 'too_hot':
    case 'too_cold':
      return `${e.type === 'too_hot' ? 'peak' : 'low'} ${formatNumber(e.peak, 1)} °C · limit ${formatNumber(e.limit, 1)} °C`;
    case 'budget_exceeded':
    case 'no_signal':
      return `${formatDuration(e.peak)} · allowed ${formatDuration(e.limit)}`;
    case 'too_humid':
    case 'too_dry':
    case 'battery_low':
      return `${e.type === 'too_humid' ? 'peak' : 'low'} ${formatNumber(e.peak, 0)} % · limit ${formatNumber(e.limit, 0)} %`;
    case 'shock':
      return `peak ${formatNumber(e.peak, 1)} g · limit ${formatNumber(e.limit, 1)} g`;
    case 'tilted':
      return `peak ${formatNumber(e.peak, 0)}° · limit ${formatNumber(e.limit, 0)}°`;
    case 'opened_in_transit':
    case 'opened_at_destination':
      return `${formatNumber(e.peak, 0)} lx · threshold ${formatNumber(e.limit, 0)} lx`;
    default:
      return `peak ${formatNumber(e.peak, 1)} · limit ${formatNumber(e.limit, 1)}`;
  }
}

const STATUS_RANK: Record<ExceptionStatus, number> = { open: 0, acknowledged: 1, resolved: 2, retracted: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The API's inbox order: open first, most severe first, oldest first. */
export function inboxOrder(a: ConditionException, b: ConditionException): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    Date.parse(a.startedAt) - Date.parse(b.startedAt) ||
    a.id - b.id
  );
}

/** Whether the exception still needs someone: not resolved, not retracted. */
export function isOpen(e: Pick<ConditionException, 'status'>): boolean {
  return e.status === 'open' || e.status === 'acknowledged';
}

export type InboxView = 'open' | 'closed';
/** Which statuses each view of the inbox lists. */
export const VIEW_STATUSES: Record<InboxView, ExceptionStatus[]> = {
  open: ['open', 'acknowledged'],
  closed: ['resolved', 'retracted'],
};

export const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
export const STATUSES: ExceptionStatus[] = ['open', 'acknowledged', 'resolved', 'retracted'];
export const STAGES = Object.keys(STAGE_LABEL);
export const EXCEPTION_TYPES = Object.keys(TYPE_LABEL);

/** Age filters: by when the condition began (event time), the time the rows show. */
export const AGES: { value: string; label: string; api?: [string, string] }[] = [
  { value: '', label: 'Any age' },
  { value: 'within-1h', label: 'Began in the last hour', api: ['startedWithin', '1h'] },
  { value: 'within-24h', label: 'Began in the last 24 h', api: ['startedWithin', '24h'] },
  { value: 'within-7d', label: 'Began in the last 7 days', api: ['startedWithin', '7d'] },
  { value: 'older-24h', label: 'Began over 24 h ago', api: ['startedOlderThan', '24h'] },
  { value: 'older-7d', label: 'Began over 7 days ago', api: ['startedOlderThan', '7d'] },
];
const AGE_MS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

/** What the inbox shows, as kept in its URL (so a view can be shared and survives a reload). */
export interface InboxQuery {
  view: InboxView;
  severity: Severity[];
  type: string[];
  stage: string[];
  /** Empty: the view's statuses. */
  status: ExceptionStatus[];
  age: string;
  /** 1-based page of groups. */
  page: number;
}

const known = <T extends string>(values: string[], allowed: readonly T[]): T[] =>
  allowed.filter((a) => values.includes(a));

/** The query of the page's URL; values it does not know are dropped, never sent on. */
export function readInboxQuery(params: URLSearchParams): InboxQuery {
  const page = Number(params.get('page'));
  return {
    view: params.get('view') === 'closed' ? 'closed' : 'open',
    severity: known(params.getAll('severity'), SEVERITIES),
    type: known(params.getAll('type'), EXCEPTION_TYPES),
    stage: known(params.getAll('stage'), STAGES),
    status: known(params.getAll('status'), STATUSES),
    age: AGES.some((a) => a.value === params.get('age')) ? (params.get('age') ?? '') : '',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The page's URL search for a query (defaults left out). */
export function inboxSearch(q: InboxQuery): string {
  const params = new URLSearchParams();
  if (q.view === 'closed') params.set('view', 'closed');
  for (const key of ['severity', 'type', 'stage', 'status'] as const) for (const v of q[key]) params.append(key, v);
  if (q.age) params.set('age', q.age);
  if (q.page > 1) params.set('page', String(q.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The statuses a query lists: its own, or its view's. */
export const statusesOf = (q: InboxQuery): ExceptionStatus[] => (q.status.length ? q.status : VIEW_STATUSES[q.view]);

/** The API's filter parameters for a query (GET /api/exceptions and /groups). */
export function apiFilters(q: InboxQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['severity', 'type', 'stage'] as const) for (const v of q[key]) params.append(key, v);
  for (const s of statusesOf(q)) params.append('status', s);
  const age = AGES.find((a) => a.value === q.age)?.api;
  if (age) params.set(age[0], age[1]);
  return params;
}

/** Whether an exception (say, one that just changed live) belongs in the view of `q` at `nowMs`. */
export function matchesQuery(e: ConditionException, q: InboxQuery, nowMs: number): boolean {
  if (q.severity.length && !q.severity.includes(e.severity)) return false;
  if (q.type.length && !q.type.includes(e.type)) return false;
  if (q.stage.length && !(e.stage !== null && q.stage.includes(e.stage))) return false;
  if (!statusesOf(q).includes(e.status)) return false;
  const age = AGES.find((a) => a.value === q.age)?.api;
  if (age) {
    const began = Date.parse(e.startedAt);
    const line = nowMs - AGE_MS[age[1]]!;
    if (age[0] === 'startedWithin' ? began < line : began >= line) return false;
  }
  return true;
}

import type { ConditionException, Disposition, ExceptionStatus, Severity } from './api';
import { formatNumber } from './format';

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

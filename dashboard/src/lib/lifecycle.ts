/**
 * How the sample lifecycle (core/domain/sample/README.md) reads to a person: status names
 * and groups, event names, and the small form each event needs.
 */

import { labelOf, toneOf, valuesOf, type Tone } from './vocabulary.ts';

/** Sample statuses in lifecycle order; labels and tones live in the one vocabulary. */
export const STATUSES = valuesOf('sample');

export type { Tone };

export function statusLabel(status: string | null | undefined): string {
  return status ? labelOf('sample', status) : '—';
}

export function statusTone(status: string | null | undefined): Tone {
  return status ? toneOf('sample', status) : 'neutral';
}

const EVENT_LABEL: Record<string, string> = {
  request: 'Requested',
  approve: 'Approve',
  reject: 'Reject',
  cancel: 'Cancel',
  create_label: 'Create label',
  dispatch: 'Mark dispatched',
  mark_in_transit: 'Mark in transit',
  report_exception: 'Report delivery exception',
  return_to_sender: 'Returned to sender',
  mark_lost: 'Mark lost',
  deliver: 'Mark delivered',
  confirm_receipt: 'Confirm receipt',
  report_damage: 'Report damage',
  resolve_damage: 'Resolve damage',
  grant_extension: 'Grant extension',
  post: 'Log post',
  mark_no_post: 'Mark no post',
  record_outcome: 'Record outcome',
  reship: 'Close as reshipped',
  write_off: 'Write off',
};

export function eventLabel(event: string): string {
  return EVENT_LABEL[event] ?? event.replaceAll('_', ' ');
}

/** Past tense for the timeline: "approved", "label created". */
const EVENT_DONE: Record<string, string> = {
  request: 'requested',
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  create_label: 'label created',
  dispatch: 'dispatched',
  mark_in_transit: 'in transit',
  report_exception: 'delivery exception',
  return_to_sender: 'returned to sender',
  mark_lost: 'marked lost',
  deliver: 'delivered',
  confirm_receipt: 'receipt confirmed',
  report_damage: 'damage reported',
  resolve_damage: 'damage resolved',
  grant_extension: 'extension granted',
  post: 'posted',
  mark_no_post: 'marked no post',
  record_outcome: 'outcome recorded',
  reship: 'reshipped',
  write_off: 'written off',
};

export function eventDone(event: string): string {
  return EVENT_DONE[event] ?? event.replaceAll('_', ' ');
}

export type FieldKind = 'text' | 'url' | 'datetime' | 'checkbox' | 'select' | 'integer' | 'money' | 'urls';

export interface EventField {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  options?: { value: string; label: string }[];
  placeholder?: string;
}

export interface EventForm {
  /** Whether the API refuses the event without a reason. */
  reason: 'required' | 'optional' | 'none';
  fields: EventField[];
  /** A primary (forward) action rather than an exceptional one. */
  primary?: boolean;
}

/** The form of each event a person may apply from the sample page (lifecycle-events.ts). */
export const EVENT_FORMS: Record<string, EventForm> = {
  approve: { reason: 'optional', fields: [], primary: true },
  reject: { reason: 'required', fields: [] },
  cancel: { reason: 'required', fields: [] },
  create_label: {
    reason: 'none',
    primary: true,
    fields: [
      { name: 'carrier', label: 'Carrier', kind: 'text', required: true, placeholder: 'ups' },
      { name: 'serviceLevel', label: 'Service level', kind: 'text', required: true, placeholder: 'ground' },
      { name: 'trackingId', label: 'Tracking id', kind: 'text', required: true },
      { name: 'trackerId', label: 'Tracker packed', kind: 'text', placeholder: 'none' },
      { name: 'shippingCostCents', label: 'Shipping cost ($)', kind: 'money' },
      { name: 'packaging', label: 'Packaging', kind: 'text', placeholder: 'mailer, box, insulated…' },
    ],
  },
  dispatch: {
    reason: 'none',
    primary: true,
    fields: [
      {
        name: 'warehouseConfirmation',
        label: 'Warehouse confirmation',
        kind: 'text',
        required: true,
        placeholder: 'WH-…',
      },
      { name: 'quantity', label: 'Units packed', kind: 'integer', required: true },
    ],
  },
  mark_in_transit: {
    reason: 'none',
    fields: [
      { name: 'location', label: 'Location', kind: 'text' },
      { name: 'detail', label: 'Detail', kind: 'text' },
    ],
  },
  report_exception: {
    reason: 'none',
    fields: [
      { name: 'detail', label: 'What happened', kind: 'text', required: true },
      { name: 'location', label: 'Location', kind: 'text' },
    ],
  },
  return_to_sender: { reason: 'none', fields: [{ name: 'detail', label: 'Detail', kind: 'text' }] },
  mark_lost: { reason: 'required', fields: [{ name: 'detail', label: 'Detail', kind: 'text' }] },
  deliver: {
    reason: 'none',
    primary: true,
    fields: [
      { name: 'receivedAt', label: 'Received at', kind: 'datetime', required: true },
      {
        name: 'evidence',
        label: 'Evidence',
        kind: 'select',
        required: true,
        options: [
          { value: 'creator', label: 'Creator confirmed' },
          { value: 'courier', label: 'Courier scan' },
          { value: 'tracker', label: 'Tracker at the address' },
        ],
      },
      { name: 'note', label: 'Note', kind: 'text' },
    ],
  },
  confirm_receipt: {
    reason: 'none',
    primary: true,
    // Used only while damage is under review and no delivery was recorded yet.
    fields: [{ name: 'receivedAt', label: 'Received at (if no delivery is recorded)', kind: 'datetime' }],
  },
  report_damage: {
    reason: 'none',
    fields: [
      { name: 'note', label: 'What is damaged', kind: 'text', required: true },
      { name: 'photoUrls', label: 'Photo URLs', kind: 'urls', placeholder: 'https://… (space separated)' },
      {
        name: 'suspectedCause',
        label: 'Suspected cause',
        kind: 'select',
        required: true,
        options: [
          { value: 'unknown', label: 'Unknown' },
          { value: 'transit', label: 'Transit (carrier)' },
          { value: 'packaging', label: 'Packaging' },
        ],
      },
    ],
  },
  resolve_damage: { reason: 'required', fields: [] },
  write_off: { reason: 'required', fields: [] },
  grant_extension: { reason: 'required', fields: [] },
  post: {
    reason: 'none',
    primary: true,
    fields: [
      { name: 'postUrl', label: 'Post URL', kind: 'url', required: true, placeholder: 'https://www.tiktok.com/@…' },
      { name: 'publishedAt', label: 'Published at', kind: 'datetime', required: true },
      { name: 'usableForAds', label: 'Usable for paid ads', kind: 'checkbox' },
    ],
  },
  mark_no_post: { reason: 'required', fields: [] },
  record_outcome: {
    reason: 'none',
    primary: true,
    fields: [
      { name: 'orders', label: 'Orders', kind: 'integer', required: true },
      { name: 'gmvCents', label: 'GMV ($)', kind: 'money', required: true },
      {
        name: 'classification',
        label: 'Classification',
        kind: 'select',
        required: true,
        options: [
          { value: 'converted', label: 'Converted (sold)' },
          { value: 'content_only', label: 'Content only' },
          { value: 'no_result', label: 'No result' },
        ],
      },
    ],
  },
};

/** `datetime-local` value for a time (the reader's zone, to the minute). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export { formatMoney, formatRate } from './format.ts';

import { applyEvent, requestSample } from './lifecycle.ts';
import { EVENTS, type EventData, type EventType, type SampleEvent } from './lifecycle-events.ts';
import type { Actor, SampleState, SampleStatus } from './sample-state.ts';

/** Test builders shared by this folder's tests: samples walked to any status through real events. */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2025-03-01T09:00Z, the start of every test journey. */
export const T0 = Date.UTC(2025, 2, 1, 9);
export const day = (n: number, hours = 0) => T0 + n * DAY + hours * HOUR;

export const manager: Actor = { kind: 'user', id: 'user:maya' };

export function newSample(id = 'SMP-25-000001'): SampleState {
  return requestSample({
    id,
    at: T0,
    actor: manager,
    request: {
      creatorId: 'creator:ana',
      campaignId: 'spring',
      skuId: 'serum-30ml',
      quantity: 1,
      source: 'form',
      requestedBy: 'user:maya',
    },
  }).state;
}

const DATA: { [K in EventType]: EventData<K> } = {
  approve: { rule: 'auto_approve_low_risk', reasons: ['low value'] },
  reject: { rule: 'duplicate_send', reasons: ['sent last month'] },
  cancel: {},
  create_label: { carrier: 'dhl', serviceLevel: 'express', trackingId: 'JD0001', trackerId: 'trk-001' },
  dispatch: { packedItems: [{ skuId: 'serum-30ml', quantity: 1 }], warehouseConfirmation: 'WH-42' },
  mark_in_transit: { location: 'Lyon hub' },
  report_exception: { detail: 'address not found' },
  return_to_sender: { detail: 'refused' },
  mark_lost: { detail: 'no scan for 10 days' },
  deliver: { receivedAt: day(4), evidence: 'courier' },
  confirm_receipt: {},
  report_damage: { note: 'cap cracked', photoUrls: ['https://img.example/1.jpg'], suspectedCause: 'transit' },
  resolve_damage: {},
  request_extension: {},
  grant_extension: {},
  post: { postUrl: 'https://www.tiktok.com/@ana/video/1', publishedAt: day(9), usableForAds: true },
  mark_no_post: {},
  record_outcome: { orders: 3, gmvCents: 9000, classification: 'converted' },
  reship: { reshipSampleId: 'SMP-25-000002' },
  write_off: {},
};

/** A valid example of each event, by the first actor kind allowed to cause it, with a reason. */
export function exampleEvent<K extends EventType>(type: K, at: number): SampleEvent {
  const kind = EVENTS[type].actors[0] ?? 'user';
  return { type, at, actor: { kind, id: `${kind}:test` }, reason: `test ${type}`, data: DATA[type] } as SampleEvent;
}

/** Applies events in order, returning the final state. */
export const walk = (state: SampleState, ...events: SampleEvent[]): SampleState =>
  events.reduce((s, e) => applyEvent(s, e).next, state);

/** The events that take a new sample to each status. */
export const PATH_TO: Record<SampleStatus, EventType[]> = {
  requested: [],
  approved: ['approve'],
  rejected: ['reject'],
  cancelled: ['cancel'],
  label_created: ['approve', 'create_label'],
  dispatched: ['approve', 'create_label', 'dispatch'],
  in_transit: ['approve', 'create_label', 'dispatch', 'mark_in_transit'],
  delivery_exception: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'report_exception'],
  returned_to_sender: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'return_to_sender'],
  lost: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'mark_lost'],
  delivered: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver'],
  content_due: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver', 'confirm_receipt'],
  damaged: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver', 'report_damage'],
  posted: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver', 'confirm_receipt', 'post'],
  no_post: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver', 'confirm_receipt', 'mark_no_post'],
  outcome_recorded: [
    'approve',
    'create_label',
    'dispatch',
    'mark_in_transit',
    'deliver',
    'confirm_receipt',
    'post',
    'record_outcome',
  ],
  reshipped: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'deliver', 'report_damage', 'reship'],
  written_off: ['approve', 'create_label', 'dispatch', 'mark_in_transit', 'mark_lost', 'write_off'],
};

/** A sample walked to `status`, one event per day from T0 (delivery received on day 4). */
export function sampleIn(status: SampleStatus): SampleState {
  const events = PATH_TO[status].map((type, i) => exampleEvent(type, day(i + 1)));
  return walk(newSample(), ...events);
}

/** Damaged while still with the carrier (tracker evidence in transit, day 5): not delivered yet. */
export function damagedInTransit(): SampleState {
  return walk(sampleIn('in_transit'), {
    ...exampleEvent('report_damage', day(5)),
    actor: { kind: 'tracker', id: 'trk-001' },
  });
}

/** A sample in `status` that the event's record precondition accepts (e.g. an undelivered damaged one for `deliver`). */
export function sampleFor(status: SampleStatus, type: EventType): SampleState {
  const plain = sampleIn(status);
  if (EVENTS[type].precondition(plain) === undefined || status !== 'damaged') return plain;
  return damagedInTransit();
}

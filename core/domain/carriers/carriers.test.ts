import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AFTERSHIP_STATUSES, parseAftership, verifyAftership } from './aftership.ts';
import { EASYPOST_STATUSES, parseEasypost, verifyEasypost } from './easypost.ts';
import { SHIPPO_STATUSES, parseShippo, verifyShippo } from './shippo.ts';
import { VENDOR_ADAPTERS } from './index.ts';
import type { SignedRequest } from './vendor.ts';

const req = (
  body: string,
  headers: Record<string, string> = {},
  query: Record<string, unknown> = {},
): SignedRequest => ({
  rawBody: Buffer.from(body),
  headers,
  query,
});

// The documented shapes, trimmed (docs/integrations.md links each vendor's page).
const aftershipEvent = {
  event: 'tracking_update',
  event_id: '94dadd60-ed26-46d0-aa52-3ced925a50ff',
  is_tracking_first_tag: true,
  msg: {
    id: '00000000000000000000000000000000',
    tracking_number: '9400111899223817573930',
    slug: 'usps',
    tag: 'InTransit',
    subtag: 'InTransit_001',
    subtag_message: 'In Transit',
    checkpoints: [
      {
        checkpoint_time: '2021-01-14T00:52:00',
        message: 'Departed Shipping Partner Facility, USPS Awaiting Item',
        slug: 'usps',
        tag: 'InTransit',
        city: 'Memphis',
        state: 'TN',
        country_iso3: 'USA',
      },
    ],
  },
  ts: 1712741696,
};

const easypostEvent = {
  object: 'Event',
  id: 'evt_0a4ed5f2bd5a11ec8f2fb1f2c7b0a0d5',
  mode: 'test',
  description: 'tracker.updated',
  created_at: '2022-04-06T18:53:09Z',
  result: {
    id: 'trk_c0a3ff7e73a34b6b8a9b5f1b5fd2b8cc',
    object: 'Tracker',
    tracking_code: 'EZ4000000004',
    status: 'out_for_delivery',
    status_detail: 'out_for_delivery',
    updated_at: '2022-04-06T18:53:09Z',
    tracking_details: [
      {
        object: 'TrackingDetail',
        message: 'Pre-Shipment Info Sent to USPS',
        status: 'pre_transit',
        datetime: '2022-03-06T18:53:09Z',
        tracking_location: { object: 'TrackingLocation', city: null, state: null, country: null, zip: null },
      },
      {
        object: 'TrackingDetail',
        message: 'Out for Delivery',
        status: 'out_for_delivery',
        datetime: '2022-03-09T09:10:09Z',
        tracking_location: { object: 'TrackingLocation', city: 'CHARLESTON', state: 'SC', country: 'US', zip: '29407' },
      },
    ],
  },
};

const shippoEvent = {
  event: 'track_updated',
  test: true,
  data: {
    carrier: 'usps',
    tracking_number: '9205590164917312751089',
    tracking_status: {
      object_created: '2016-07-23T20:35:26.129Z',
      object_updated: '2016-07-23T20:35:26.129Z',
      object_id: 'ce48ff3d52a34e91b77aa98370182624',
      status: 'DELIVERED',
      status_details: 'Your shipment has been delivered at the destination mailbox.',
      status_date: '2016-07-23T13:03:00Z',
      location: { city: 'Spotsylvania', state: 'VA', zip: '22551', country: 'US' },
    },
    tracking_history: [],
  },
};

describe('AfterShip', () => {
  it('maps a tracking_update: event id, tracking number, tag, event time from ts when the checkpoint has no offset', () => {
    const r = parseAftership(aftershipEvent);
    expect(r).toEqual({
      kind: 'tracking',
      event: {
        eventId: '94dadd60-ed26-46d0-aa52-3ced925a50ff',
        trackingId: '9400111899223817573930',
        occurredAt: 1712741696_000,
        status: 'InTransit',
        location: 'Memphis, TN, USA',
        detail: 'In Transit',
        mapped: {
          trackingId: '9400111899223817573930',
          event: 'in_transit',
          at: 1712741696_000,
          location: 'Memphis, TN, USA',
          detail: 'In Transit',
        },
      },
    });
  });

  it('takes the checkpoint time when it carries an offset', () => {
    const e = structuredClone(aftershipEvent);
    e.msg.checkpoints[0]!.checkpoint_time = '2024-04-10T09:00:00+02:00';
    const r = parseAftership(e);
    expect(r.kind === 'tracking' && r.event.occurredAt).toBe(Date.parse('2024-04-10T07:00:00Z'));
  });

  it('covers the whole tag vocabulary; Expired and unknown tags map to nothing', () => {
    expect(Object.keys(AFTERSHIP_STATUSES).sort()).toEqual(
      [
        'Pending',
        'InfoReceived',
        'InTransit',
        'OutForDelivery',
        'AttemptFail',
        'Delivered',
        'AvailableForPickup',
        'Exception',
        'Expired',
      ].sort(),
    );
    for (const tag of ['Expired', 'Frozen', 'toString']) {
      const r = parseAftership({ ...aftershipEvent, msg: { ...aftershipEvent.msg, tag } });
      expect(r.kind === 'tracking' && r.event.mapped).toBeNull();
    }
  });

  it('ignores events that are not tracking updates', () => {
    expect(parseAftership({ ...aftershipEvent, event: 'edd_revise' }).kind).toBe('ignored');
    expect(parseAftership('nope').kind).toBe('ignored');
  });

  it('verifies the base64 HMAC-SHA256 of the raw body in aftership-hmac-sha256', () => {
    const body = JSON.stringify(aftershipEvent);
    const sig = createHmac('sha256', 'as-secret').update(body).digest('base64');
    expect(verifyAftership(req(body, { 'aftership-hmac-sha256': sig }), 'as-secret')).toEqual({ ok: true });
    expect(verifyAftership(req(body, { 'aftership-hmac-sha256': sig }), 'other')).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyAftership(req(`${body} `, { 'aftership-hmac-sha256': sig }), 'as-secret').ok).toBe(false);
    expect(verifyAftership(req(body), 'as-secret')).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('EasyPost', () => {
  it('maps a tracker.updated event from the last tracking detail', () => {
    const r = parseEasypost(easypostEvent);
    expect(r).toMatchObject({
      kind: 'tracking',
      event: {
        eventId: 'evt_0a4ed5f2bd5a11ec8f2fb1f2c7b0a0d5',
        trackingId: 'EZ4000000004',
        status: 'out_for_delivery',
        occurredAt: Date.parse('2022-03-09T09:10:09Z'),
        location: 'CHARLESTON, SC, US',
        mapped: { event: 'out_for_delivery', at: Date.parse('2022-03-09T09:10:09Z') },
      },
    });
  });

  it('maps return_to_sender and failure; cancelled, error and unknown map to nothing', () => {
    const map = (status: string) => {
      const r = parseEasypost({ ...easypostEvent, result: { ...easypostEvent.result, status } });
      return r.kind === 'tracking' ? (r.event.mapped?.event ?? null) : 'ignored';
    };
    expect(map('return_to_sender')).toBe('returned');
    expect(map('failure')).toBe('exception');
    expect(map('pre_transit')).toBe('label_created');
    for (const s of ['cancelled', 'error', 'unknown', 'teleported']) expect(map(s)).toBeNull();
    expect(Object.keys(EASYPOST_STATUSES)).toHaveLength(10);
  });

  it('ignores other events (batches, shipments)', () => {
    expect(parseEasypost({ ...easypostEvent, description: 'batch.created', result: { object: 'Batch' } }).kind).toBe(
      'ignored',
    );
  });

  it('verifies X-Hmac-Signature: hmac-sha256-hex=<hex>, keyed by the NFKD-normalized secret', () => {
    const body = JSON.stringify(easypostEvent);
    // "ﬁ" (U+FB01) normalizes under NFKD to "fi": EasyPost's libraries key with the normalized form.
    const secret = 'ep-\uFB01-secret';
    const hex = createHmac('sha256', Buffer.from('ep-fi-secret', 'utf8')).update(body).digest('hex');
    expect(verifyEasypost(req(body, { 'x-hmac-signature': `hmac-sha256-hex=${hex}` }), secret)).toEqual({ ok: true });
    expect(verifyEasypost(req(body, { 'x-hmac-signature': hex }), secret).ok).toBe(false);
    expect(verifyEasypost(req(body, { 'x-hmac-signature': `hmac-sha256-hex=${hex}` }), 'ep-secret').ok).toBe(false);
    expect(verifyEasypost(req(body), secret)).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('Shippo', () => {
  it('maps track_updated, the tracking status object id as the event id', () => {
    const r = parseShippo(shippoEvent);
    expect(r).toMatchObject({
      kind: 'tracking',
      event: {
        eventId: 'ce48ff3d52a34e91b77aa98370182624',
        trackingId: '9205590164917312751089',
        status: 'DELIVERED',
        occurredAt: Date.parse('2016-07-23T13:03:00Z'),
        location: 'Spotsylvania, VA, US',
        detail: 'Your shipment has been delivered at the destination mailbox.',
        mapped: { event: 'delivered' },
      },
    });
    expect(Object.keys(SHIPPO_STATUSES).sort()).toEqual(
      ['PRE_TRANSIT', 'TRANSIT', 'DELIVERED', 'RETURNED', 'FAILURE', 'UNKNOWN'].sort(),
    );
  });

  it('ignores transaction events', () => {
    expect(parseShippo({ event: 'transaction_created', data: {} }).kind).toBe('ignored');
  });

  it('accepts the URL token or the Shippo-Auth-Signature HMAC over "<t>.<body>" within five minutes', () => {
    const body = JSON.stringify(shippoEvent);
    const now = Date.parse('2026-12-01T10:00:00Z');
    const t = Math.floor(now / 1000) - 60;
    const v1 = createHmac('sha256', 'sh-secret').update(`${t}.${body}`).digest('hex');
    const signed = { 'shippo-auth-signature': `t=${t},v1=${v1}` };
    expect(verifyShippo(req(body, {}, { token: 'sh-secret' }), 'sh-secret', now)).toEqual({ ok: true });
    expect(verifyShippo(req(body, {}, { token: 'guess' }), 'sh-secret', now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyShippo(req(body, signed), 'sh-secret', now)).toEqual({ ok: true });
    expect(verifyShippo(req(body, signed), 'other', now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyShippo(req(body, signed), 'sh-secret', now + 10 * 60_000)).toEqual({
      ok: false,
      reason: 'expired_signature',
    });
    expect(verifyShippo(req(body, { 'shippo-auth-signature': 'garbage' }), 'sh-secret', now).ok).toBe(false);
    expect(verifyShippo(req(body), 'sh-secret', now)).toEqual({ ok: false, reason: 'missing_signature' });
  });
});

describe('every adapter', () => {
  it('signs its own example so that it verifies and parses back to the same event', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    for (const adapter of Object.values(VENDOR_ADAPTERS)) {
      const status = Object.keys(adapter.statuses)[2]!;
      const body = JSON.stringify(adapter.example({ trackingId: 'T-1', status, occurredAt: now, eventId: 'e-1' }));
      const { headers, query } = adapter.sign(body, 's3cret', now);
      expect(adapter.verify(req(body, headers, query), 's3cret', now)).toEqual({ ok: true });
      const parsed = adapter.parse(JSON.parse(body));
      expect(parsed).toMatchObject({ kind: 'tracking', event: { eventId: 'e-1', trackingId: 'T-1', status } });
      expect(parsed.kind === 'tracking' && parsed.event.occurredAt).toBe(now);
    }
  });
});

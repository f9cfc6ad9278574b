import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, label, programApi } from './sample-program.support.ts';

/**
 * The aggregator webhooks end to end (issue 13): documented-shape payloads, signed here the
 * way each vendor signs (not with the platform's own code), over real HTTP.
 */
let p: TestPlatform;
let api: ReturnType<typeof programApi>;
const SECRETS = {
  aftership: 'aftership-webhook-secret',
  easypost: 'easypost-\uFB01-secret',
  shippo: 'shippo-hmac-secret',
};
type Vendor = keyof typeof SECRETS;
/** When every sample here was labelled; carrier events happen hours after. */
const T0 = Date.now() - DAY;
const at = (hours: number) => T0 + hours * 3_600_000;

beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  await api.product('CAR-SERUM', { inventoryOnHand: 100 });
  for (const vendor of Object.keys(SECRETS) as Vendor[]) {
    await api.call('PUT', `/api/integrations/carriers/${vendor}`, { enabled: true, secret: SECRETS[vendor] }, 200);
  }
}, 120_000);
afterAll(() => p?.close());

let n = 0;
/** A sample with a label (status label_created) under a fresh tracking id. */
async function labelled(): Promise<{ id: string; trackingId: string }> {
  const trackingId = `1ZAGG${++n}${Date.now() % 100_000}`;
  // A creator of its own: the policy refuses a second send of one SKU to the same creator.
  const creator = `@carrier${n}`;
  await api.creator(creator);
  const { sample } = await api.request({ creator, sku: 'CAR-SERUM' });
  await api.event(sample.id, { ...label(trackingId), at: new Date(T0).toISOString() });
  return { id: sample.id, trackingId };
}

const statusOf = async (id: string) =>
  (await api.call<{ status: string }>('GET', `/api/samples/${id}`, undefined, 200)).status;

/** AfterShip Tracking webhook (webhook-specifications page), trimmed. */
const aftershipEvent = (trackingId: string, tag: string, hours: number, eventId = `as-${++n}`) => ({
  event: 'tracking_update',
  event_id: eventId,
  is_tracking_first_tag: true,
  msg: {
    id: '00000000000000000000000000000000',
    tracking_number: trackingId,
    slug: 'ups',
    tag,
    subtag: `${tag}_001`,
    subtag_message: tag,
    checkpoints: [
      { checkpoint_time: new Date(at(hours)).toISOString(), message: 'Scan', slug: 'ups', tag, location: 'Lyon, FR' },
    ],
  },
  ts: Math.floor(at(hours) / 1000),
});

/** EasyPost Event with a Tracker result (events and trackers reference), trimmed. */
const easypostEvent = (trackingId: string, status: string, hours: number, eventId = `evt_${++n}`) => ({
  object: 'Event',
  id: eventId,
  mode: 'test',
  description: 'tracker.updated',
  created_at: new Date(at(hours)).toISOString(),
  result: {
    id: `trk_${n}`,
    object: 'Tracker',
    tracking_code: trackingId,
    status,
    status_detail: 'status_update',
    carrier: 'UPS',
    tracking_details: [
      {
        object: 'TrackingDetail',
        message: `Update: ${status}`,
        status,
        datetime: new Date(at(hours)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        tracking_location: { object: 'TrackingLocation', city: 'CHARLESTON', state: 'SC', country: 'US', zip: null },
      },
    ],
  },
});

/** Shippo track_updated (webhooks page, Tracking object), trimmed. */
const shippoEvent = (trackingId: string, status: string, hours: number, objectId = `ts${++n}`) => ({
  event: 'track_updated',
  test: true,
  data: {
    carrier: 'ups',
    tracking_number: trackingId,
    tracking_status: {
      object_created: new Date(at(hours)).toISOString(),
      object_updated: new Date(at(hours)).toISOString(),
      object_id: objectId,
      status,
      status_details: `Update: ${status}`,
      status_date: new Date(at(hours)).toISOString(),
      location: { city: 'Spotsylvania', state: 'VA', zip: '22551', country: 'US' },
    },
    tracking_history: [],
  },
});

/** How each vendor signs a raw body (docs/integrations.md): headers and query to send with it. */
function signAs(
  vendor: Vendor,
  body: string,
  secret = SECRETS[vendor],
): { headers: Record<string, string>; query: string } {
  switch (vendor) {
    case 'aftership':
      return {
        headers: { 'aftership-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64') },
        query: '',
      };
    case 'easypost': {
      const key = Buffer.from(secret.normalize('NFKD'), 'utf8');
      return {
        headers: { 'x-hmac-signature': `hmac-sha256-hex=${createHmac('sha256', key).update(body).digest('hex')}` },
        query: '',
      };
    }
    case 'shippo': {
      const t = Math.floor(Date.now() / 1000);
      const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      return { headers: { 'shippo-auth-signature': `t=${t},v1=${v1}` }, query: '' };
    }
  }
}

interface Result {
  outcome: string;
  duplicate: boolean;
  eventId: string | null;
  sampleId: string | null;
  reason: string | null;
}

async function post(
  vendor: Vendor,
  payload: unknown,
  sign = signAs,
): Promise<{ status: number; body: Result & { error?: { code: string; details?: { reason?: string } } } }> {
  const body = JSON.stringify(payload);
  const { headers, query } = sign(vendor, body);
  const res = await fetch(`${p.httpUrl}/api/integrations/carriers/${vendor}/webhook${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as never };
}

const eventRows = async (vendor: Vendor) =>
  Number(
    (await p.pool.query<{ n: string }>('select count(*) as n from carrier_webhook_events where vendor = $1', [vendor]))
      .rows[0]!.n,
  );

const VENDORS: {
  vendor: Vendor;
  event: (t: string, s: string, h: number, id?: string) => unknown;
  inTransit: string;
  delivered: string;
  exception: string;
  unknown: string;
}[] = [
  {
    vendor: 'aftership',
    event: aftershipEvent,
    inTransit: 'InTransit',
    delivered: 'Delivered',
    exception: 'Exception',
    unknown: 'Teleported',
  },
  {
    vendor: 'easypost',
    event: easypostEvent,
    inTransit: 'in_transit',
    delivered: 'delivered',
    exception: 'failure',
    unknown: 'teleported',
  },
  {
    vendor: 'shippo',
    event: shippoEvent,
    inTransit: 'TRANSIT',
    delivered: 'DELIVERED',
    exception: 'FAILURE',
    unknown: 'TELEPORTED',
  },
];

describe.each(VENDORS)('$vendor webhook', ({ vendor, event, inTransit, delivered, exception, unknown }) => {
  it('moves a labelled sample label_created → in_transit → delivered', async () => {
    const s = await labelled();
    expect(await statusOf(s.id)).toBe('label_created');
    const first = await post(vendor, event(s.trackingId, inTransit, 2));
    expect(first).toMatchObject({ status: 200, body: { outcome: 'applied', duplicate: false, sampleId: s.id } });
    expect(await statusOf(s.id)).toBe('in_transit');
    expect((await post(vendor, event(s.trackingId, delivered, 20))).body.outcome).toBe('applied');
    expect(await statusOf(s.id)).toBe('delivered');
  });

  it('refuses a bad or missing signature with 401 and stores nothing', async () => {
    const s = await labelled();
    const before = await eventRows(vendor);
    const wrongKey = (v: Vendor, body: string) => signAs(v, body, 'not-the-secret');
    const bad = await post(vendor, event(s.trackingId, inTransit, 2), wrongKey);
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'bad_signature' } });
    const missing = await post(vendor, event(s.trackingId, inTransit, 2), () => ({ headers: {}, query: '' }));
    expect(missing.status).toBe(401);
    expect(missing.body.error?.details?.reason).toBe('missing_signature');
    // Signed, then altered on the way: the signature no longer matches the bytes.
    const tampered = await post(vendor, event(s.trackingId, delivered, 2), (v, body) =>
      signAs(v, body.replace(delivered, inTransit)),
    );
    expect(tampered.status).toBe(401);
    expect(await eventRows(vendor)).toBe(before);
    expect(await statusOf(s.id)).toBe('label_created');
  });

  it('treats a resend of the same event id as a no-op', async () => {
    const s = await labelled();
    const payload = event(s.trackingId, inTransit, 2, `resend-${vendor}-${s.id}`);
    expect((await post(vendor, payload)).body).toMatchObject({ outcome: 'applied', duplicate: false });
    const transitions = async () =>
      (await p.pool.query('select 1 from sample_transitions where sample_id = $1', [s.id])).rowCount;
    const count = await transitions();
    const again = await post(vendor, payload);
    expect(again).toMatchObject({ status: 200, body: { outcome: 'applied', duplicate: true, sampleId: s.id } });
    expect(await transitions()).toBe(count);
    const rows = await p.pool.query('select 1 from carrier_webhook_events where vendor = $1 and event_id = $2', [
      vendor,
      `resend-${vendor}-${s.id}`,
    ]);
    expect(rows.rowCount).toBe(1);
  });

  it('keeps an unknown status as unknown_status and shows it in the events list', async () => {
    const s = await labelled();
    const r = await post(vendor, event(s.trackingId, unknown, 3));
    expect(r).toMatchObject({ status: 200, body: { outcome: 'unknown_status', sampleId: s.id } });
    expect(await statusOf(s.id)).toBe('label_created');
    const { events } = await api.call<{
      events: { eventId: string; vendorStatus: string; outcome: string; mappedEvent: string | null }[];
    }>('GET', `/api/integrations/carriers/${vendor}/events?limit=20`, undefined, 200);
    expect(events.find((e) => e.eventId === r.body.eventId)).toMatchObject({
      vendorStatus: unknown,
      outcome: 'unknown_status',
      mappedEvent: null,
    });
  });

  it('judges in event time: an older event arriving after a newer one changes nothing', async () => {
    const s = await labelled();
    await post(vendor, event(s.trackingId, inTransit, 5));
    // An exception scanned before the in-transit update, delivered late.
    const late = await post(vendor, event(s.trackingId, exception, 4));
    expect(late.body.outcome).toBe('stale');
    expect(await statusOf(s.id)).toBe('in_transit');
    await post(vendor, event(s.trackingId, delivered, 30));
    expect((await post(vendor, event(s.trackingId, inTransit, 10))).body.outcome).toBe('stale');
    expect(await statusOf(s.id)).toBe('delivered');
  });

  it('keeps an event for a tracking id no sample has, with 200 (vendors retry anything else)', async () => {
    const r = await post(vendor, event(`NOSUCH-${vendor}`, inTransit, 1));
    expect(r).toMatchObject({ status: 200, body: { outcome: 'unknown_tracking', sampleId: null } });
  });
});

describe('carrier integrations admin', () => {
  it('Shippo also accepts its self-generated URL token instead of HMAC', async () => {
    const s = await labelled();
    const r = await post('shippo', shippoEvent(s.trackingId, 'TRANSIT', 2), () => ({
      headers: {},
      query: `?token=${encodeURIComponent(SECRETS.shippo)}`,
    }));
    expect(r.body.outcome).toBe('applied');
    const wrong = await post('shippo', shippoEvent(s.trackingId, 'DELIVERED', 3), () => ({
      headers: {},
      query: '?token=guess',
    }));
    expect(wrong.status).toBe(401);
  });

  it('lists each vendor with its webhook URL, never the secret, and counts by outcome', async () => {
    const { integrations } = await api.call<{ integrations: Record<string, unknown>[] }>(
      'GET',
      '/api/integrations/carriers',
      undefined,
      200,
    );
    expect(integrations.map((i) => i.vendor)).toEqual(['aftership', 'easypost', 'shippo']);
    for (const i of integrations) {
      expect(i).toMatchObject({ enabled: true, secretSet: true });
      expect(String(i.webhookUrl)).toMatch(new RegExp(`/api/integrations/carriers/${String(i.vendor)}/webhook$`));
      expect(JSON.stringify(i)).not.toContain(SECRETS[i.vendor as Vendor]);
    }
    expect(integrations[0]!.counts).toMatchObject({ applied: expect.any(Number), unknown_status: expect.any(Number) });
  });

  it('audits an update without the secret; only admins may change it', async () => {
    await api.call('PUT', '/api/integrations/carriers/easypost', { enabled: true, secret: SECRETS.easypost }, 200);
    const { rows } = await p.pool.query<{ detail: unknown }>(
      "select detail from audit_log where action = 'carrier_integration.update' and entity_id = 'easypost'",
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('secret-');
    const ops = await p.api('/api/integrations/carriers/easypost', {
      method: 'PUT',
      json: { enabled: false },
      as: 'ops',
    });
    expect(ops.status).toBe(403);
  });

  it('"send a test" signs a documented example with the stored secret and posts it to our own webhook', async () => {
    const s = await labelled();
    for (const vendor of ['aftership', 'easypost', 'shippo'] as const) {
      const r = await api.call<{ httpStatus: number; result: Result | null; error: string | null }>(
        'POST',
        `/api/integrations/carriers/${vendor}/test`,
        { trackingId: s.trackingId },
        200,
      );
      expect(r).toMatchObject({ httpStatus: 200, error: null, result: { sampleId: s.id } });
    }
    expect(await statusOf(s.id)).toBe('in_transit');
  });

  it('a disabled vendor answers 404 and keeps nothing', async () => {
    await api.call('PUT', '/api/integrations/carriers/aftership', { enabled: false }, 200);
    try {
      const s = await labelled();
      const before = await eventRows('aftership');
      const r = await post('aftership', aftershipEvent(s.trackingId, 'InTransit', 2));
      expect(r.status).toBe(404);
      expect(await eventRows('aftership')).toBe(before);
    } finally {
      await api.call('PUT', '/api/integrations/carriers/aftership', { enabled: true }, 200);
    }
  });
});

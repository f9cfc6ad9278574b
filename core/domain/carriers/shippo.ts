import type { CarrierEventType } from '../sample/carrier-event.ts';
import {
  derivedEventId,
  header,
  hmacSha256,
  instant,
  isRecord,
  place,
  safeEqual,
  text,
  trackingUpdate,
  type ParsedWebhook,
  type SignatureCheck,
  type SignedRequest,
  type VendorAdapter,
} from './vendor.ts';

/**
 * Shippo `track_updated` webhooks (https://docs.goshippo.com/docs/tracking/webhooks):
 * `{event: "track_updated", test, data: {tracking_number, carrier, tracking_status: {object_id,
 * status, status_details, status_date, location: {city, state, country}}, tracking_history}}`.
 * Shippo does not sign by default; its webhook security page
 * (https://docs.goshippo.com/docs/tracking/webhooksecurity) offers a self-generated token in
 * the URL (`?token=…`) and, provisioned on request, HMAC: `Shippo-Auth-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Either is accepted.
 */
export const SHIPPO_STATUSES: Readonly<Record<string, CarrierEventType | null>> = {
  PRE_TRANSIT: 'label_created',
  TRANSIT: 'in_transit',
  DELIVERED: 'delivered',
  RETURNED: 'returned',
  FAILURE: 'exception',
  UNKNOWN: null,
};

export const SHIPPO_HEADER = 'shippo-auth-signature';
/** How far a signed timestamp may be from our clock: a captured request replays no later. */
export const SHIPPO_TOLERANCE_MS = 5 * 60_000;

export function signShippo(rawBody: string | Buffer, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const mac = hmacSha256(secret, Buffer.concat([Buffer.from(`${t}.`), Buffer.from(rawBody)])).toString('hex');
  return `t=${t},v1=${mac}`;
}

export function verifyShippo(req: SignedRequest, secret: string, nowMs: number): SignatureCheck {
  const token = req.query.token;
  if (typeof token === 'string' && safeEqual(token, secret)) return { ok: true };
  const given = header(req, SHIPPO_HEADER);
  if (!given) return { ok: false, reason: token === undefined ? 'missing_signature' : 'bad_signature' };
  const fields = new Map(
    given.split(',').map((part) => {
      const i = part.indexOf('=');
      return [part.slice(0, i).trim(), part.slice(i + 1).trim()] as const;
    }),
  );
  const t = fields.get('t') ?? '';
  const v1 = fields.get('v1') ?? '';
  if (!/^\d{1,12}$/.test(t) || !v1) return { ok: false, reason: 'bad_signature' };
  const expected = hmacSha256(secret, Buffer.concat([Buffer.from(`${t}.`), req.rawBody])).toString('hex');
  if (!safeEqual(v1.toLowerCase(), expected)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(nowMs - Number(t) * 1000) > SHIPPO_TOLERANCE_MS) return { ok: false, reason: 'expired_signature' };
  return { ok: true };
}

export function parseShippo(payload: unknown): ParsedWebhook {
  if (!isRecord(payload)) return { kind: 'ignored', reason: 'not a Shippo event' };
  if (payload.event !== 'track_updated') {
    return { kind: 'ignored', reason: `Shippo event "${String(payload.event)}" is not a tracking update` };
  }
  const data = isRecord(payload.data) ? payload.data : {};
  const status = isRecord(data.tracking_status) ? data.tracking_status : {};
  const trackingId = text(data.tracking_number, 300);
  const word = text(status.status, 100);
  if (!trackingId || !word) return { kind: 'ignored', reason: 'Shippo event without tracking_number or status' };
  const occurredAt = instant(status.status_date, true) ?? instant(status.object_updated, true);
  if (occurredAt === undefined) return { kind: 'ignored', reason: 'Shippo event without a usable time' };
  const where = isRecord(status.location) ? status.location : {};
  const location = place(where.city, where.state, where.country);
  const detail = text(status.status_details, 1000);
  // Shippo sends no event id; each tracking status object has its own id, the same on a resend.
  const eventId = text(status.object_id, 300) ?? derivedEventId(trackingId, word, occurredAt);
  return trackingUpdate(SHIPPO_STATUSES, { eventId, trackingId, occurredAt, status: word, location, detail });
}

export const shippo: VendorAdapter = {
  vendor: 'shippo',
  statuses: SHIPPO_STATUSES,
  parse: parseShippo,
  verify: verifyShippo,
  sign: (rawBody, secret, nowMs) => ({ headers: { [SHIPPO_HEADER]: signShippo(rawBody, secret, nowMs) }, query: {} }),
  example: ({ trackingId, status, occurredAt, eventId }) => {
    const at = new Date(occurredAt).toISOString();
    return {
      event: 'track_updated',
      test: true,
      data: {
        carrier: 'usps',
        tracking_number: trackingId,
        eta: null,
        servicelevel: { token: 'usps_priority', name: 'Priority Mail' },
        metadata: 'Sampletrack test webhook',
        tracking_status: {
          object_created: at,
          object_updated: at,
          object_id: eventId,
          status,
          status_details: `Test update: ${status}`,
          status_date: at,
          location: { city: 'Test City', state: 'CA', zip: '94103', country: 'US' },
        },
        tracking_history: [],
        transaction: null,
      },
    };
  },
};

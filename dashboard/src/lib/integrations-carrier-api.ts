import { http, type Schemas } from './api';

/**
 * Carrier tracking through AfterShip, EasyPost and Shippo (issue 13): each vendor's set-up,
 * its recent webhook events and "send a test". Wire types are generated from the API.
 */

type Fetch = typeof fetch;

export type CarrierIntegration = Schemas['CarrierIntegration'];
export type CarrierWebhookEvent = Schemas['CarrierWebhookEvent'];
export type CarrierWebhookResult = Schemas['CarrierWebhookResult'];
export type CarrierVendor = CarrierIntegration['vendor'];
export type CarrierOutcome = CarrierWebhookEvent['outcome'];

export const CARRIER_VENDOR_NAMES: Record<CarrierVendor, string> = {
  aftership: 'AfterShip',
  easypost: 'EasyPost',
  shippo: 'Shippo',
};

export const CARRIER_OUTCOMES: CarrierOutcome[] = ['applied', 'no_op', 'stale', 'unknown_status', 'unknown_tracking'];

export interface TestSend {
  url: string;
  httpStatus: number | null;
  result: CarrierWebhookResult | null;
  error: string | null;
}

const base = (vendor: CarrierVendor) => `/api/integrations/carriers/${encodeURIComponent(vendor)}`;

export const carrierApi = {
  async list(fetchFn: Fetch): Promise<CarrierIntegration[]> {
    return (await http.get<{ integrations: CarrierIntegration[] }>(fetchFn, '/api/integrations/carriers')).integrations;
  },
  /** Without a secret the stored one is kept (or one is generated the first time); it is answered this once. */
  update(
    vendor: CarrierVendor,
    body: { enabled: boolean; secret?: string },
  ): Promise<CarrierIntegration & { secret: string | null }> {
    return http.put(base(vendor), body);
  },
  async events(fetchFn: Fetch, vendor: CarrierVendor, limit = 20): Promise<CarrierWebhookEvent[]> {
    return (await http.get<{ events: CarrierWebhookEvent[] }>(fetchFn, `${base(vendor)}/events?limit=${limit}`)).events;
  },
  sendTest(vendor: CarrierVendor, trackingId: string, status?: string): Promise<TestSend> {
    return http.post(`${base(vendor)}/test`, { trackingId, ...(status ? { status } : {}) });
  },
};

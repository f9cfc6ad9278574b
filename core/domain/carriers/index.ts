import { aftership } from './aftership.ts';
import { easypost } from './easypost.ts';
import { shippo } from './shippo.ts';
import type { CarrierVendor, VendorAdapter } from './vendor.ts';

export { CARRIER_VENDORS, type CarrierVendor, type VendorAdapter, type VendorTrackingEvent } from './vendor.ts';

export const VENDOR_ADAPTERS: Readonly<Record<CarrierVendor, VendorAdapter>> = { aftership, easypost, shippo };

/** The URL path each vendor calls (PUBLIC_URL + this goes into the vendor's dashboard). */
export const webhookPath = (vendor: CarrierVendor): string => `/api/integrations/carriers/${vendor}/webhook`;

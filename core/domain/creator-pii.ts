/**
 * A creator's home address and phone are the most sensitive data the platform holds.
 * Roles that do not ship to creators see the creator with those redacted: the street,
 * postcode, name on the label, email and phone go; city, region and country stay (enough
 * to reason about a carrier or a claim), and so does the DM handle (public on the platform).
 * An address's coordinates (lat/lon, for the destination geofence) pin the home as exactly
 * as the street does: they go too.
 */
export const REDACTED = '[redacted]';

interface WithPii {
  contact: { email?: string; phone?: string; dm?: string };
  addresses: {
    name?: string;
    line1: string;
    line2?: string;
    city: string;
    region?: string;
    postalCode: string;
    country: string;
  }[];
}

export function redactCreatorPii<T extends WithPii>(creator: T): T & { piiRedacted: true } {
  return {
    ...creator,
    contact: creator.contact.dm === undefined ? {} : { dm: creator.contact.dm },
    addresses: creator.addresses.map((a) => ({
      line1: REDACTED,
      city: a.city,
      ...(a.region !== undefined ? { region: a.region } : {}),
      postalCode: REDACTED,
      country: a.country,
    })),
    piiRedacted: true,
  };
}

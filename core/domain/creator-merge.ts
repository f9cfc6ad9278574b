/**
 * Merging a duplicate creator record into the one that is kept: what the kept record looks
 * like afterwards. Pure; the service moves the samples and marks the duplicate.
 *
 * - Handles: the duplicate's handle and other handles become other handles of the kept one
 *   (case-insensitive, no repeats), so lookups and imports by the old handle still land.
 * - Contact: a field the kept record lacks is taken from the duplicate; a field both have
 *   keeps the kept record's value (the person chose the kept record as the truth).
 * - Addresses: the duplicate's addresses not already on the kept record are appended; the
 *   kept record's first address (the one samples ship to) stays first.
 * - Standing: the stricter of the two, so a restricted creator cannot escape it under a
 *   second handle; the reason says where it came from.
 * - Display name: the kept one's, else the duplicate's. Notes: both, kept first.
 */

export type Standing = 'active' | 'watch' | 'restricted';

export interface MergeableCreator {
  id: string;
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: { email?: string; phone?: string; dm?: string };
  addresses: Address[];
  notes: string | null;
  standing: Standing;
  standingReason: string | null;
}

export interface Address {
  name?: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
  lat?: number;
  lon?: number;
}

export interface MergedCreator {
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: MergeableCreator['contact'];
  addresses: Address[];
  notes: string | null;
  standing: Standing;
  /** Set when the standing changes (the duplicate's was stricter). */
  standingReason?: string;
  /** Contact fields taken from the duplicate (names only: the values are PII). */
  contactTaken: string[];
  addressesTaken: number;
}

const RANK: Record<Standing, number> = { active: 0, watch: 1, restricted: 2 };

/** Two addresses are the same place when street, postcode and country match, ignoring case and spacing. */
export function sameAddress(a: Address, b: Address): boolean {
  const key = (x: Address) =>
    [x.line1, x.line2 ?? '', x.postalCode, x.country].map((s) => s.trim().toLowerCase().replace(/\s+/g, ' ')).join('|');
  return key(a) === key(b);
}

export function mergeCreators(kept: MergeableCreator, duplicate: MergeableCreator): MergedCreator {
  const seen = new Set([kept.handle.toLowerCase()]);
  const otherHandles: string[] = [];
  for (const h of [...kept.otherHandles, duplicate.handle, ...duplicate.otherHandles]) {
    if (seen.has(h.toLowerCase())) continue;
    seen.add(h.toLowerCase());
    otherHandles.push(h);
  }

  const contact = { ...kept.contact };
  const contactTaken: string[] = [];
  for (const field of ['email', 'phone', 'dm'] as const) {
    const value = duplicate.contact[field];
    if (contact[field] === undefined && value !== undefined) {
      contact[field] = value;
      contactTaken.push(field);
    }
  }

  const added = duplicate.addresses.filter((a) => !kept.addresses.some((k) => sameAddress(k, a)));
  const stricter = RANK[duplicate.standing] > RANK[kept.standing];
  const notes = [kept.notes, duplicate.notes].filter((n): n is string => !!n && n.trim() !== '');

  return {
    handle: kept.handle,
    otherHandles,
    displayName: kept.displayName ?? duplicate.displayName,
    contact,
    addresses: [...kept.addresses, ...added],
    notes: notes.length ? [...new Set(notes)].join('\n\n') : null,
    standing: stricter ? duplicate.standing : kept.standing,
    ...(stricter
      ? {
          standingReason: `merged from ${duplicate.handle} (${duplicate.id}), which was ${duplicate.standing}${
            duplicate.standingReason ? `: ${duplicate.standingReason}` : ''
          }`,
        }
      : {}),
    contactTaken,
    addressesTaken: added.length,
  };
}

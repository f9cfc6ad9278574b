import { z } from 'zod';
import { sameAddress, type Address, type Standing } from './creator-merge.ts';
import type { CsvRecord } from './csv.ts';

/**
 * Creator CSV import, the pure part: which columns a file may have, what a row must look
 * like, and what a row does to a creator. A handle that exists already (as a main or other
 * handle of a live record) is not an error: the row updates that record ("upsert"), so the
 * same export from a CRM can be imported again. An update only sets what the row has: an
 * empty cell keeps the stored value, never erases it.
 */

export const CREATOR_IMPORT_COLUMNS = [
  'handle',
  'display_name',
  'email',
  'phone',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country',
  'standing',
  'notes',
] as const;
export const MAX_CREATOR_IMPORT_ROWS = 5000;

// An empty cell is "not given".
const cell = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => v || undefined);

const Row = z
  .object({
    handle: z.string().trim().min(1, 'is required').max(100),
    display_name: cell(200),
    email: cell(320).pipe(z.email().optional()),
    phone: cell(40),
    line1: cell(200),
    line2: cell(200),
    city: cell(100),
    region: cell(100),
    postal_code: cell(20),
    country: cell(2)
      .transform((v) => v?.toUpperCase())
      .pipe(
        z
          .string()
          .regex(/^[A-Z]{2}$/, 'is an ISO 3166-1 alpha-2 code')
          .optional(),
      ),
    standing: cell(20).pipe(z.enum(['active', 'watch', 'restricted']).optional()),
    notes: cell(5000),
  })
  .superRefine((r, ctx) => {
    // A partial address cannot be shipped to: all four parts, or none.
    const parts = [r.line1, r.line2, r.city, r.region, r.postal_code, r.country];
    if (parts.every((p) => p === undefined)) return;
    for (const need of ['line1', 'city', 'postal_code', 'country'] as const) {
      if (r[need] === undefined) ctx.addIssue({ code: 'custom', path: [need], message: 'is required with an address' });
    }
  });

export type CreatorImportRow = z.output<typeof Row>;

export interface ParsedRow {
  line: number;
  row?: CreatorImportRow;
  errors: string[];
}

/** Problems with the header itself: the file is not read further. */
export function headerProblems(header: string[]): { missing: string[]; unknown: string[] } {
  const known = new Set<string>(CREATOR_IMPORT_COLUMNS);
  return {
    missing: header.includes('handle') ? [] : ['handle'],
    // An unknown column is most likely a misspelt one: ignoring it would drop its data silently.
    unknown: header.filter((h) => !known.has(h)),
  };
}

/** Checks each record's shape, and that no handle appears twice in the file (case-insensitive). */
export function parseRows(header: string[], records: CsvRecord[]): ParsedRow[] {
  const firstLine = new Map<string, number>();
  return records.map(({ line, fields }) => {
    if (fields.length !== header.length)
      return { line, errors: [`${fields.length} fields, header has ${header.length}`] };
    const cells = Object.fromEntries(CREATOR_IMPORT_COLUMNS.map((c) => [c, '']));
    header.forEach((h, i) => (cells[h] = fields[i]!));
    const parsed = Row.safeParse(cells);
    if (!parsed.success) return { line, errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
    const key = parsed.data.handle.toLowerCase();
    const first = firstLine.get(key);
    if (first !== undefined) return { line, errors: [`handle: ${parsed.data.handle} is also on line ${first}`] };
    firstLine.set(key, line);
    return { line, row: parsed.data, errors: [] };
  });
}

export interface ImportableCreator {
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: { email?: string; phone?: string; dm?: string };
  addresses: Address[];
  notes: string | null;
  standing: Standing;
}

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The creator after the row: a new one from the row, or `existing` with the row's given
 * cells over it. The row's address becomes the first address (the one samples ship to);
 * one already on the record is moved first as stored (keeping its name and coordinates),
 * not repeated. `changes` names the fields that differ.
 */
export function applyImportRow(
  existing: ImportableCreator | undefined,
  r: CreatorImportRow,
): { fields: ImportableCreator; changes: string[] } {
  const address: Address | undefined = r.line1
    ? (defined({
        line1: r.line1,
        line2: r.line2,
        city: r.city!,
        region: r.region,
        postalCode: r.postal_code!,
        country: r.country!,
      }) as Address)
    : undefined;
  const contact = defined({ email: r.email, phone: r.phone });
  const base: ImportableCreator = existing ?? {
    handle: r.handle,
    otherHandles: [],
    displayName: null,
    contact: {},
    addresses: [],
    notes: null,
    standing: 'active',
  };
  const fields: ImportableCreator = {
    ...base,
    displayName: r.display_name ?? base.displayName,
    contact: { ...base.contact, ...contact },
    // At most 10 addresses, as the API allows: the oldest (last) gives way.
    addresses: address ? withFirst(base.addresses, address) : base.addresses,
    notes: r.notes ?? base.notes,
    standing: r.standing ?? base.standing,
  };
  if (!existing) return { fields, changes: [] };
  const changes = (['displayName', 'contact', 'addresses', 'notes', 'standing'] as const).filter(
    (k) => JSON.stringify(fields[k]) !== JSON.stringify(existing[k]),
  );
  return { fields, changes };
}

/** `address` first: the stored equal one if there is one; at most 10, as the API allows (the last gives way). */
function withFirst(addresses: Address[], address: Address): Address[] {
  const stored = addresses.find((a) => sameAddress(a, address));
  return [stored ?? address, ...addresses.filter((a) => a !== stored)].slice(0, 10);
}

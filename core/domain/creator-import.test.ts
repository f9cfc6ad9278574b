import { describe, expect, it } from 'vitest';
import { applyImportRow, headerProblems, parseRows, type ImportableCreator } from './creator-import.ts';

const HEADER = ['handle', 'email', 'line1', 'city', 'postal_code', 'country', 'standing'];
const parse = (...rows: string[][]) =>
  parseRows(
    HEADER,
    rows.map((fields, i) => ({ line: i + 2, fields })),
  );
const stored: ImportableCreator = {
  handle: '@ava',
  otherHandles: [],
  displayName: 'Ava',
  contact: { email: 'old@x.test', dm: '@ava' },
  addresses: [{ line1: '9 Mill Rd', city: 'York', postalCode: 'YO1 2BB', country: 'GB' }],
  notes: null,
  standing: 'watch',
};

describe('creator import rows', () => {
  it('refuses an unknown column and a missing handle column', () => {
    expect(headerProblems(['email', 'postcode'])).toEqual({ missing: ['handle'], unknown: ['postcode'] });
  });

  it('reports a handle repeated in the file (any case) on the later line', () => {
    const [, second] = parse(['@ava', '', '', '', '', '', ''], ['@AVA', '', '', '', '', '', '']);
    expect(second).toEqual({ line: 3, errors: ['handle: @AVA is also on line 2'] });
  });

  it('an update sets only the given cells; the new address goes first, an equal one is not repeated', () => {
    const [row] = parse(['@ava', 'new@x.test', '1 Main St', 'Leeds', 'LS1 1AA', 'gb', '']);
    const { fields, changes } = applyImportRow(stored, row!.row!);
    expect(fields.contact).toEqual({ email: 'new@x.test', dm: '@ava' });
    expect(fields.addresses.map((a) => a.line1)).toEqual(['1 Main St', '9 Mill Rd']);
    expect(fields).toMatchObject({ displayName: 'Ava', standing: 'watch' });
    expect(changes).toEqual(['contact', 'addresses']);

    // The stored spelling (and any name or coordinates on it) stays.
    const [same] = parse(['@ava', '', '9 mill rd', 'York', 'yo1 2bb', 'GB', '']);
    expect(applyImportRow(stored, same!.row!)).toMatchObject({ fields: { addresses: stored.addresses }, changes: [] });
  });
});

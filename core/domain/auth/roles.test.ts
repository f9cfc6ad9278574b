import { describe, expect, it } from 'vitest';
import { allows, mayGrant, seesCreatorPii } from './roles.ts';

describe('roles', () => {
  it('public lets anyone in; a role list only its roles', () => {
    expect(allows('public', undefined)).toBe(true);
    expect(allows(['admin', 'ops'], 'ops')).toBe(true);
    expect(allows(['admin', 'ops'], 'viewer')).toBe(false);
    expect(allows(['admin'], undefined)).toBe(false);
  });

  it('creator PII only for admin and ops', () => {
    expect(['admin', 'ops', 'fulfillment', 'viewer', 'integration'].map((r) => seesCreatorPii(r as never))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('a token never reaches further than its owner', () => {
    expect(mayGrant('admin', 'integration')).toBe(true);
    expect(mayGrant('ops', 'ops')).toBe(true);
    expect(mayGrant('ops', 'viewer')).toBe(true);
    expect(mayGrant('ops', 'admin')).toBe(false);
    expect(mayGrant('viewer', 'ops')).toBe(false);
  });
});

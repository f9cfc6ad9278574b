import { describe, expect, it } from 'vitest';
import { mergeCreators, type MergeableCreator } from './creator-merge.ts';

const creator = (over: Partial<MergeableCreator>): MergeableCreator => ({
  id: 'CRT-000001',
  handle: '@ava',
  otherHandles: [],
  displayName: null,
  contact: {},
  addresses: [],
  notes: null,
  standing: 'active',
  standingReason: null,
  ...over,
});
const home = { line1: '1 Main St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' };
const work = { line1: '9 Mill Rd', city: 'York', postalCode: 'YO1 2BB', country: 'GB' };

describe('mergeCreators', () => {
  it("adds the duplicate's handles as other handles, without repeats or the kept handle", () => {
    const merged = mergeCreators(
      creator({ otherHandles: ['@ava.old'] }),
      creator({ id: 'CRT-000002', handle: '@Ava.Cooks', otherHandles: ['@AVA', '@ava.old', '@ava2'] }),
    );
    expect(merged.handle).toBe('@ava');
    expect(merged.otherHandles).toEqual(['@ava.old', '@Ava.Cooks', '@ava2']);
  });

  it('fills only the contact fields the kept record lacks and appends new addresses', () => {
    const merged = mergeCreators(
      creator({ contact: { email: 'kept@x.test' }, addresses: [home] }),
      creator({
        id: 'CRT-000002',
        handle: '@b',
        contact: { email: 'dup@x.test', phone: '+44 1' },
        addresses: [{ ...home, line1: ' 1  main st ', postalCode: 'ls1 1aa' }, work],
      }),
    );
    expect(merged.contact).toEqual({ email: 'kept@x.test', phone: '+44 1' });
    expect(merged.contactTaken).toEqual(['phone']);
    expect(merged.addresses).toEqual([home, work]);
    expect(merged.addressesTaken).toBe(1);
  });

  it("keeps the stricter standing and says why; a milder duplicate's standing changes nothing", () => {
    const stricter = mergeCreators(
      creator({}),
      creator({ id: 'CRT-000002', handle: '@b', standing: 'restricted', standingReason: 'no post for SMP-1' }),
    );
    expect(stricter.standing).toBe('restricted');
    expect(stricter.standingReason).toBe('merged from @b (CRT-000002), which was restricted: no post for SMP-1');
    const milder = mergeCreators(creator({ standing: 'watch' }), creator({ id: 'CRT-000002', handle: '@b' }));
    expect(milder.standing).toBe('watch');
    expect(milder.standingReason).toBeUndefined();
  });

  it('keeps both notes, the kept one first, and the display name of the kept record when it has one', () => {
    const merged = mergeCreators(
      creator({ notes: 'likes lamps' }),
      creator({ id: 'CRT-000002', handle: '@b', displayName: 'Ava B', notes: 'vegan' }),
    );
    expect(merged.notes).toBe('likes lamps\n\nvegan');
    expect(merged.displayName).toBe('Ava B');
  });
});

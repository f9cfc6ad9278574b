import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENTS, EVENT_TYPES, targetsOf } from './lifecycle-events.ts';

/** docs/lifecycle.md's event table must say what the code does. */
const doc = readFileSync(new URL('../../../docs/lifecycle.md', import.meta.url), 'utf8');
const rows = new Map(
  doc.split('\n').flatMap((line) => {
    const m = /^\| `(\w+)` \|([^|]+)\|([^|]+)\|([^|]+)\|([^|]*)\|/.exec(line);
    return m
      ? [[m[1]!, { from: m[2]!.trim(), to: m[3]!.trim(), who: m[4]!.trim(), reason: m[5]!.trim() }] as const]
      : [];
  }),
);

describe('docs/lifecycle.md', () => {
  it('lists every event once', () => {
    expect([...rows.keys()].filter((k) => (EVENT_TYPES as string[]).includes(k)).sort()).toEqual(
      [...EVENT_TYPES].sort(),
    );
  });

  it.each(EVENT_TYPES)('%s: from, to, who may and reason as the table in the code', (type) => {
    const e = EVENTS[type];
    expect(rows.get(type)).toEqual({
      from: e.from.join(', '),
      to: targetsOf(type).join(' / '),
      who: e.actors.join(', '),
      reason: e.reasonRequired ? 'yes' : '',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { humanise, labelOf, term, toneOf, valuesOf, TONES } from '../../dashboard/src/lib/vocabulary.ts';

// The one vocabulary of states (dashboard/src/lib/vocabulary.ts): one label and tone per value.
describe('vocabulary', () => {
  it('labels a sample stage the same way wherever it is shown', () => {
    expect(labelOf('sample', 'in_transit')).toBe('In transit');
    expect(labelOf('sample', 'damaged')).toBe('Damage review');
    expect(toneOf('sample', 'damaged')).toBe('crit');
    expect(toneOf('sample', 'delivered')).toBe('ok');
  });

  it('lists sample stages in lifecycle order, every one with a label and a known tone', () => {
    const stages = valuesOf('sample');
    expect(stages[0]).toBe('requested');
    expect(stages.indexOf('dispatched')).toBeLessThan(stages.indexOf('in_transit'));
    expect(stages.indexOf('in_transit')).toBeLessThan(stages.indexOf('delivered'));
    for (const s of stages) {
      expect(term('sample', s).label).not.toMatch(/_/);
      expect(TONES).toContain(toneOf('sample', s));
    }
  });

  it('covers parcel freshness, tracker states, severities, exception states and standing', () => {
    expect(term('parcel', 'silent')).toMatchObject({ label: 'Silent', tone: 'warn' });
    expect(term('parcel', 'never').label).toBe('No data');
    expect(term('device', 'disabled')).toMatchObject({ label: 'Disabled', tone: 'closed' });
    expect(term('severity', 'critical')).toMatchObject({ label: 'Critical', tone: 'crit' });
    expect(term('exception', 'acknowledged').label).toBe('Acknowledged');
    expect(term('standing', 'watch')).toMatchObject({ label: 'On watch', tone: 'warn' });
    expect(term('standing', 'restricted').title).toMatch(/override/);
  });

  it('reads a value it does not know yet humanised, in the neutral tone', () => {
    expect(term('sample', 'held_at_customs')).toEqual({ label: 'Held at customs', tone: 'neutral' });
    expect(humanise('')).toBe('');
  });

  it('gives every domain distinct labels, so two states never read alike', () => {
    for (const d of ['sample', 'parcel', 'device', 'severity', 'exception', 'standing'] as const) {
      const labels = valuesOf(d).map((v) => labelOf(d, v));
      expect(new Set(labels).size).toBe(labels.length);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { alertMessage, formatDuration, retryDelayMs, subscriptionMatches, type AlertFacts } from './alert-message.ts';

const facts: AlertFacts = {
  kind: 'opened',
  exceptionId: 7,
  type: 'too_hot',
  severity: 'warning',
  peak: 31.04,
  limit: 28,
  durationMs: 25 * 60_000,
  startedAt: Date.parse('2026-11-23T10:05:00Z'),
  endedAt: null,
  stage: 'in_transit',
  lat: 35.1234,
  lon: -101.5,
  sampleId: 'SMP-26-000123',
  creator: '@ava.cooks',
  sku: 'CHOC-70-BAR',
};

describe('alert messages', () => {
  it('say what, how much, for how long, where, which sample/creator/SKU, what next, with a link', () => {
    const m = alertMessage(facts, 'https://ops.example.com/');
    expect(m.title).toBe('Too hot · SMP-26-000123 · @ava.cooks · CHOC-70-BAR');
    expect(m.body).toBe(
      'Too hot: 31 °C (above the limit of 28 °C), for 25 min, since 2026-11-23T10:05:00Z, in transit near 35.123, -101.500. ' +
        'Sample SMP-26-000123 for @ava.cooks, SKU CHOC-70-BAR. Next: Ask the creator to check the product on arrival; approve a reship if it is spoiled.',
    );
    expect(m.link).toBe('https://ops.example.com/samples/SMP-26-000123');
  });

  it('mark escalations and ends', () => {
    expect(alertMessage({ ...facts, kind: 'escalated' }, 'http://x').title).toMatch(/^ESCALATED/);
    const ended = alertMessage({ ...facts, kind: 'ended', endedAt: facts.startedAt + 25 * 60_000 }, 'http://x');
    expect(ended.body).toContain('lasted 25 min');
    expect(ended.body).toContain('back in range');
  });

  it('state a used-up temperature budget as time, not as a temperature', () => {
    const m = alertMessage(
      { ...facts, type: 'budget_exceeded', severity: 'critical', peak: 90 * 60_000, limit: 60 * 60_000 },
      'http://x',
    );
    expect(m.body).toMatch(/^Temperature budget used up: 1 h 30 min out of range in all \(budget 1 h\), since /);
  });

  it('say how many times when one incident holds several excursions, and whether the trip end ended it', () => {
    const opened = alertMessage(
      { ...facts, type: 'opened_in_transit', severity: 'critical', peak: 400, limit: 10, repeatCount: 4 },
      'http://x',
    );
    expect(opened.body).toMatch(
      /^Box opened in transit: 400 lux \(light the limit of 10 lux\), 4 times, for 25 min, since /,
    );
    expect(alertMessage({ ...facts, repeatCount: 1 }, 'http://x').body).not.toContain('times');
    const atTripEnd = alertMessage(
      { ...facts, kind: 'ended', endedAt: facts.startedAt + 25 * 60_000, endedBy: 'trip_end' },
      'http://x',
    );
    expect(atTripEnd.body).toContain('The trip ended while it was still going on');
  });

  it('state MKT over its limit as the trip figure against the limit', () => {
    const m = alertMessage({ ...facts, type: 'mkt_exceeded', peak: 26.4, limit: 25 }, 'http://x');
    expect(m.body).toMatch(
      /^Mean kinetic temperature over its limit: MKT 26\.4 °C over the trip \(limit 25\.0 °C\), since /,
    );
  });

  it('format durations for people', () => {
    expect(formatDuration(20 * 60_000)).toBe('20 min');
    expect(formatDuration(120 * 60_000)).toBe('2 h');
    expect(formatDuration(135 * 60_000)).toBe('2 h 15 min');
  });

  it('match subscriptions by kind and minimum severity', () => {
    const sub = { eventKinds: ['opened', 'resolved'], minSeverity: 'warning' as const };
    expect(subscriptionMatches(sub, { kind: 'opened', severity: 'critical' })).toBe(true);
    expect(subscriptionMatches(sub, { kind: 'opened', severity: 'info' })).toBe(false);
    expect(subscriptionMatches(sub, { kind: 'ended', severity: 'critical' })).toBe(false);
  });

  it('back off exponentially with a cap', () => {
    const none = () => 0;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, 60_000, none))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000, 60_000, none)).toBe(60_000);
    expect(retryDelayMs(1, 1000, 60_000, () => 1)).toBe(1100);
  });
});

import { describe, expect, it } from 'vitest';
import { CONDITION_PRESETS, ConditionProfileSchema, resolveProfile } from './profile.ts';

const MINUTE = 60_000;

describe('condition profiles', () => {
  it('fills defaults: tracker rules on, product rules off', () => {
    const profile = ConditionProfileSchema.parse({});
    expect(profile).toEqual({
      ignoreAfterStartMs: 15 * MINUTE,
      holdLimitMs: 30 * MINUTE,
      flapWindowMs: 30 * MINUTE,
      tripEndGraceMs: 120 * MINUTE,
      damageSeverity: 'critical',
      light: { thresholdLux: 10, hysteresisLux: 5, minDurationMs: 0, severity: 'critical' },
      battery: { lowPct: 20, hysteresisPct: 2, severity: 'warning' },
      noSignal: { timeoutMs: 120 * MINUTE, severity: 'warning' },
    });
  });

  it('defaults ΔH to 83.144 kJ/mol and hysteresis to 0.5 °C', () => {
    const { temperature } = ConditionProfileSchema.parse({ temperature: { maxC: 28, mkt: { limitC: 25 } } });
    expect(temperature).toMatchObject({
      hysteresisC: 0.5,
      minDurationMs: 0,
      mkt: { limitC: 25, activationEnergyKJPerMol: 83.144 },
    });
  });

  it('has the named presets', () => {
    expect(CONDITION_PRESETS.chocolate.temperature).toMatchObject({
      maxC: 28,
      minDurationMs: 20 * MINUTE,
      budgetMs: 60 * MINUTE,
      mkt: { limitC: 25 },
    });
    expect(CONDITION_PRESETS['cold-chain'].temperature).toMatchObject({
      minC: 2,
      maxC: 8,
      minDurationMs: 30 * MINUTE,
      budgetMs: 120 * MINUTE,
      mkt: { limitC: 8 },
    });
    expect(CONDITION_PRESETS.fragile).toMatchObject({
      shock: { thresholdG: 8 },
      tilt: { maxDeg: 60, minDurationMs: 10 * MINUTE },
    });
    expect(CONDITION_PRESETS.ambient.temperature).toMatchObject({ minC: 0, maxC: 40 });
  });

  it('rejects a range whose lower bound is not below its upper bound', () => {
    expect(ConditionProfileSchema.safeParse({ temperature: { minC: 8, maxC: 2 } }).success).toBe(false);
    expect(ConditionProfileSchema.safeParse({ humidity: { minPct: 60, maxPct: 60 } }).success).toBe(false);
    expect(ConditionProfileSchema.safeParse({ temperature: { maxC: 8, hysteresisC: -1 } }).success).toBe(false);
  });

  it('merges a per-sample override section by section; null switches a rule off', () => {
    const sample = resolveProfile(CONDITION_PRESETS.chocolate, {
      temperature: { maxC: 26 },
      noSignal: null,
      shock: { thresholdG: 6 },
    });
    expect(sample.temperature).toMatchObject({ maxC: 26, minDurationMs: 20 * MINUTE, budgetMs: 60 * MINUTE });
    expect(sample.noSignal).toBeNull();
    expect(sample.shock).toEqual({ thresholdG: 6, severity: 'warning' });
    expect(CONDITION_PRESETS.chocolate.temperature?.maxC).toBe(28);
  });

  it('validates the merged result', () => {
    expect(() => resolveProfile(CONDITION_PRESETS['cold-chain'], { temperature: { minC: 10 } })).toThrow(
      /minC must be below maxC/,
    );
  });
});

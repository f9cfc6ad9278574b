import { z } from 'zod';
import { DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL } from './mkt.ts';

/**
 * Condition profiles: what a product tolerates. One per product, overridable per sample
 * (`resolveProfile`). A section that is absent (or null) switches its rule off; `light`,
 * `battery` and `noSignal` are on by default because they concern the tracker and the
 * parcel, not the product. All durations are milliseconds.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const durationMs = z.number().int().min(0);
const SeveritySchema = z.enum(['info', 'warning', 'critical']);

/** Lower must stay below upper, or no value could ever be in range. */
function boundsOrdered(lower: number | undefined, upper: number | undefined): boolean {
  return lower === undefined || upper === undefined || lower < upper;
}

const TemperatureRuleSchema = z
  .object({
    minC: z.number().optional(),
    maxC: z.number().optional(),
    /** How long the value must stay out of range before it counts as an excursion. */
    minDurationMs: durationMs.default(0),
    /** An excursion ends only once the value is back inside by this much. */
    hysteresisC: z.number().min(0).default(0.5),
    /** Cumulative time allowed outside [minC, maxC] over the whole trip (stability budget). */
    budgetMs: durationMs.optional(),
    mkt: z
      .object({
        limitC: z.number(),
        activationEnergyKJPerMol: z.number().positive().default(DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL),
        /**
         * MKT over a short stretch swings with every reading (one warm hour is the whole
         * average): no mkt_exceeded exception before it covers this much held time.
         */
        minCoverageMs: durationMs.default(2 * HOUR),
      })
      .optional(),
    severity: SeveritySchema.default('warning'),
  })
  .refine((t) => boundsOrdered(t.minC, t.maxC), { message: 'temperature.minC must be below maxC' });

const HumidityRuleSchema = z
  .object({
    minPct: z.number().min(0).max(100).optional(),
    maxPct: z.number().min(0).max(100).optional(),
    minDurationMs: durationMs.default(0),
    hysteresisPct: z.number().min(0).default(2),
    severity: SeveritySchema.default('warning'),
  })
  .refine((h) => boundsOrdered(h.minPct, h.maxPct), { message: 'humidity.minPct must be below maxPct' });

const ShockRuleSchema = z.object({
  /** A reading whose shockG (peak since the previous reading) is above this is a shock. */
  thresholdG: z.number().positive(),
  severity: SeveritySchema.default('critical'),
});

const TiltRuleSchema = z.object({
  maxDeg: z.number().min(0).max(180),
  /** How long the parcel may stay tilted beyond maxDeg before it counts. */
  minDurationMs: durationMs.default(0),
  hysteresisDeg: z.number().min(0).default(5),
  severity: SeveritySchema.default('warning'),
});

const LightRuleSchema = z.object({
  /** Light above this inside the parcel means the box is open. */
  thresholdLux: z.number().min(0).default(10),
  hysteresisLux: z.number().min(0).default(5),
  minDurationMs: durationMs.default(0),
  /** Severity of a box opened in transit; opened at the destination is always `info`. */
  severity: SeveritySchema.default('critical'),
});

const BatteryRuleSchema = z.object({
  lowPct: z.number().min(0).max(100).default(20),
  hysteresisPct: z.number().min(0).default(2),
  severity: SeveritySchema.default('warning'),
});

const NoSignalRuleSchema = z.object({
  /** A silence longer than this, between readings or from the last reading to `now`, is an episode. */
  timeoutMs: durationMs.min(1).default(2 * HOUR),
  severity: SeveritySchema.default('warning'),
});

export const ConditionProfileSchema = z.object({
  name: z.string().optional(),
  /** Readings with ts < startedAt + ignoreAfterStartMs are not judged (packing, settling). */
  ignoreAfterStartMs: durationMs.default(15 * MINUTE),
  /** A reading's value holds until the next reading, but never longer than this (README, "Gaps"). */
  holdLimitMs: durationMs.min(1).default(30 * MINUTE),
  /**
   * A rule that breaches again within this long after its last excursion ended extends that
   * incident (repeat count, last seen, peak) instead of opening another.
   */
  flapWindowMs: durationMs.default(30 * MINUTE),
  /** The trip ends this long after receipt: in-transit rules stop and the tracker is freed. */
  tripEndGraceMs: durationMs.default(2 * HOUR),
  /** Only an exception at or above this severity is transit damage (moves the sample to `damaged`). */
  damageSeverity: SeveritySchema.default('critical'),
  temperature: TemperatureRuleSchema.nullable().optional(),
  humidity: HumidityRuleSchema.nullable().optional(),
  shock: ShockRuleSchema.nullable().optional(),
  tilt: TiltRuleSchema.nullable().optional(),
  light: LightRuleSchema.nullable().prefault({}),
  battery: BatteryRuleSchema.nullable().prefault({}),
  noSignal: NoSignalRuleSchema.nullable().prefault({}),
});

export type ConditionProfile = z.output<typeof ConditionProfileSchema>;
/** What a caller writes: every default may be left out. */
export type ConditionProfileInput = z.input<typeof ConditionProfileSchema>;

type TopLevel = 'name' | 'ignoreAfterStartMs' | 'holdLimitMs' | 'flapWindowMs' | 'tripEndGraceMs' | 'damageSeverity';
type RuleSections = Omit<ConditionProfileInput, TopLevel>;

/** A per-sample override: top-level fields replace, a section is merged field by field, null switches it off. */
export type ConditionProfileOverride = Partial<Pick<ConditionProfileInput, TopLevel>> & {
  [K in keyof RuleSections]?: Partial<NonNullable<RuleSections[K]>> | null;
};

const SECTIONS = ['temperature', 'humidity', 'shock', 'tilt', 'light', 'battery', 'noSignal'] as const;

/** Applies a sample's override to its product's profile; the result is validated again. */
export function resolveProfile(base: ConditionProfile, override?: ConditionProfileOverride): ConditionProfile {
  if (!override) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const key of [
    'name',
    'ignoreAfterStartMs',
    'holdLimitMs',
    'flapWindowMs',
    'tripEndGraceMs',
    'damageSeverity',
  ] as const) {
    if (override[key] !== undefined) merged[key] = override[key];
  }
  for (const section of SECTIONS) {
    const patch = override[section];
    if (patch === undefined) continue;
    merged[section] = patch === null ? null : { ...(base[section] ?? {}), ...patch };
  }
  return ConditionProfileSchema.parse(merged);
}

export type PresetName = 'chocolate' | 'cold-chain' | 'fragile' | 'ambient';

/**
 * Named starting points. Chocolate blooms above ~28 °C and takes up moisture in humid air;
 * cold chain is the 2–8 °C pharma band; fragile is about handling, not climate; ambient only
 * catches gross abuse.
 */
export const CONDITION_PRESETS: Readonly<Record<PresetName, ConditionProfile>> = {
  chocolate: ConditionProfileSchema.parse({
    name: 'chocolate',
    temperature: { maxC: 28, minDurationMs: 20 * MINUTE, budgetMs: 60 * MINUTE, mkt: { limitC: 25 } },
    humidity: { maxPct: 75, minDurationMs: 60 * MINUTE },
    shock: { thresholdG: 15, severity: 'warning' },
  }),
  'cold-chain': ConditionProfileSchema.parse({
    name: 'cold-chain',
    temperature: {
      minC: 2,
      maxC: 8,
      minDurationMs: 30 * MINUTE,
      budgetMs: 120 * MINUTE,
      mkt: { limitC: 8 },
      severity: 'critical',
    },
    noSignal: { timeoutMs: HOUR },
  }),
  fragile: ConditionProfileSchema.parse({
    name: 'fragile',
    shock: { thresholdG: 8 },
    tilt: { maxDeg: 60, minDurationMs: 10 * MINUTE },
  }),
  ambient: ConditionProfileSchema.parse({
    name: 'ambient',
    temperature: { minC: 0, maxC: 40, minDurationMs: 60 * MINUTE },
    shock: { thresholdG: 25, severity: 'warning' },
  }),
};

/** Where a sample's effective profile comes from. */
export type ProfileSource = 'sample' | 'product' | 'default';

/**
 * The profile a sample is judged by: its own profile if it has one (it replaces the
 * product's whole, like a product's replaces the defaults), else its product's, else the
 * defaults. Both are stored as profile input (jsonb) and validated here; a bad one throws.
 */
export function effectiveProfile(
  productProfile: unknown,
  sampleProfile: unknown,
): { profile: ConditionProfile; source: ProfileSource } {
  if (sampleProfile !== null && sampleProfile !== undefined)
    return { profile: ConditionProfileSchema.parse(sampleProfile), source: 'sample' };
  if (productProfile !== null && productProfile !== undefined)
    return { profile: ConditionProfileSchema.parse(productProfile), source: 'product' };
  return { profile: ConditionProfileSchema.parse({}), source: 'default' };
}

/** Parcel condition rules: pure evaluation of a trip's tracker readings. Semantics: README.md. */
export { evaluateTrip } from './evaluate.ts';
export { TripEvaluator, type AddResult, type TripEvaluatorOptions } from './incremental.ts';
export type { Correction, EpisodeChanges, FactChange } from './episode-registry.ts';
export type { TripContext } from './engine.ts';
export {
  meanKineticTemperature,
  arrheniusFactor,
  DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL,
  GAS_CONSTANT,
  type MktSample,
} from './mkt.ts';
export {
  CONDITION_PRESETS,
  ConditionProfileSchema,
  effectiveProfile,
  resolveProfile,
  type ConditionProfile,
  type ConditionProfileInput,
  type ConditionProfileOverride,
  type PresetName,
  type ProfileSource,
} from './profile.ts';
export type * from './types.ts';

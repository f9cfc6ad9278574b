/**
 * Mean Kinetic Temperature (USP <1079.2>): the single constant temperature that would
 * degrade a product as much as the temperatures it actually saw.
 *
 *   MKT = (ΔH/R) / ( -ln( Σ wᵢ·e^(-ΔH/(R·Tᵢ)) / Σ wᵢ ) )      (T in kelvin)
 *
 * The weights wᵢ are the time each reading represents, so irregular sampling is not
 * biased towards bursts of readings (a tracker sends extra readings on events). With
 * equal weights this is the USP formula with n readings.
 */

export const DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL = 83.144;
/** Universal gas constant, J/(mol·K). */
export const GAS_CONSTANT = 8.3144598;
const ZERO_CELSIUS_K = 273.15;

export interface MktSample {
  tempC: number;
  /** Time the sample represents (any unit, only ratios matter); 1 when omitted. */
  weight?: number;
}

/** ΔH/R in kelvin. */
function activationTemperatureK(activationEnergyKJPerMol: number): number {
  return (activationEnergyKJPerMol * 1000) / GAS_CONSTANT;
}

/** The Arrhenius factor e^(-ΔH/(R·T)) of one temperature. */
export function arrheniusFactor(
  tempC: number,
  activationEnergyKJPerMol = DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL,
): number {
  return Math.exp(-activationTemperatureK(activationEnergyKJPerMol) / (tempC + ZERO_CELSIUS_K));
}

/** MKT in °C from Σ wᵢ·factorᵢ and Σ wᵢ; undefined when no time is covered. */
export function mktFromSums(
  weightedFactorSum: number,
  weightSum: number,
  activationEnergyKJPerMol = DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL,
): number | undefined {
  if (weightSum <= 0) return undefined;
  const kelvin = activationTemperatureK(activationEnergyKJPerMol) / -Math.log(weightedFactorSum / weightSum);
  return kelvin - ZERO_CELSIUS_K;
}

/** MKT in °C of weighted samples; undefined when there is nothing to average. */
export function meanKineticTemperature(
  samples: readonly MktSample[],
  activationEnergyKJPerMol = DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL,
): number | undefined {
  let weightedFactorSum = 0;
  let weightSum = 0;
  for (const { tempC, weight = 1 } of samples) {
    weightedFactorSum += weight * arrheniusFactor(tempC, activationEnergyKJPerMol);
    weightSum += weight;
  }
  return mktFromSums(weightedFactorSum, weightSum, activationEnergyKJPerMol);
}

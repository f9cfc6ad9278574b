import { describe, expect, it } from 'vitest';
import { evaluateTrip } from './evaluate.ts';
import { meanKineticTemperature } from './mkt.ts';
import { ConditionProfileSchema } from './profile.ts';
import { series } from './test-support.ts';

/*
 * Hand arithmetic, ΔH = 83.144 kJ/mol, R = 8.3144598 J/(mol·K):
 *   ΔH/R = 83144 / 8.3144598 = 9999.928 K
 *   20 °C = 293.15 K: ΔH/(R·T) = 34.111984, e^-x = 1.532335e-15
 *   25 °C = 298.15 K: ΔH/(R·T) = 33.539923, e^-x = 2.715167e-15
 *   30 °C = 303.15 K: ΔH/(R·T) = 32.986733, e^-x = 4.721108e-15
 * Equal weights: mean = (1.532335 + 2.715167 + 4.721108)e-15 / 3 = 2.989536e-15
 *   ln(mean) = -33.443658 → MKT = 9999.928 / 33.443658 = 299.0082 K = 25.86 °C
 * Weights 30 min at 20 °C, 10 min at 30 °C: (30·1.532335 + 10·4.721108)e-15 / 40 = 2.329528e-15
 *   ln = -33.693111 → MKT = 9999.928 / 33.693111 = 296.7944 K = 23.64 °C
 */
const EQUAL_20_25_30 = 25.86;
const THIRTY_MIN_20_TEN_MIN_30 = 23.64;

const profile = ConditionProfileSchema.parse({ temperature: { maxC: 40, mkt: { limitC: 25 } } });

describe('Mean Kinetic Temperature', () => {
  it('matches the hand-computed value for 20, 25, 30 °C with equal weights', () => {
    const mkt = meanKineticTemperature([{ tempC: 20 }, { tempC: 25 }, { tempC: 30 }]);
    expect(mkt).toBeCloseTo(EQUAL_20_25_30, 2);
  });

  it('weights each sample by the time it represents', () => {
    const mkt = meanKineticTemperature([
      { tempC: 20, weight: 30 },
      { tempC: 30, weight: 10 },
    ]);
    expect(mkt).toBeCloseTo(THIRTY_MIN_20_TEN_MIN_30, 2);
  });

  it('uses the activation energy it is given (ΔH = 100 kJ/mol weighs the hot reading more)', () => {
    // ΔH/R = 12027.24 K; the same arithmetic as above gives 26.03 °C.
    expect(meanKineticTemperature([{ tempC: 20 }, { tempC: 25 }, { tempC: 30 }], 100)).toBeCloseTo(26.03, 2);
  });

  it('is undefined with nothing to average', () => {
    expect(meanKineticTemperature([])).toBeUndefined();
  });

  it('over a trip, a reading holds until the next one: the last reading has not held yet', () => {
    // 20 °C held 0→10, 25 °C held 10→20, 30 °C held 20→30; the 30 °C at 30 min closes the trip.
    const readings = series('tempC', [
      [0, 20],
      [10, 25],
      [20, 30],
      [30, 30],
    ]);
    const { mkt } = evaluateTrip(readings, profile);
    expect(mkt?.valueC).toBeCloseTo(EQUAL_20_25_30, 2);
    expect(mkt).toMatchObject({ limitC: 25, exceeded: true });
  });

  it('over a trip, irregular sampling is time-weighted', () => {
    const readings = series('tempC', [
      [0, 20],
      [30, 30],
      [40, 20],
    ]);
    expect(evaluateTrip(readings, profile).mkt?.valueC).toBeCloseTo(THIRTY_MIN_20_TEN_MIN_30, 2);
  });

  it('does not let a value hold across a gap for longer than holdLimitMs', () => {
    // 30 °C at 0 then nothing until 100: it holds 30 min (the hold limit), not 100. Then 20 °C held 10 min.
    // (30·4.721108 + 10·1.532335)e-15 / 40 = 3.923915e-15, ln = -33.171687 → 301.4597 K = 28.31 °C
    const readings = series('tempC', [
      [0, 30],
      [100, 20],
      [110, 20],
    ]);
    expect(evaluateTrip(readings, profile).mkt?.valueC).toBeCloseTo(28.31, 2);
  });

  it('has no trip MKT from a single reading, and none without a temperature rule', () => {
    expect(evaluateTrip(series('tempC', [[0, 20]]), profile).mkt).toBeUndefined();
    expect(
      evaluateTrip(
        series('tempC', [
          [0, 20],
          [10, 20],
        ]),
        ConditionProfileSchema.parse({}),
      ).mkt,
    ).toBeUndefined();
  });
});

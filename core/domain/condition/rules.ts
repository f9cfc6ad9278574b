import type { Reading } from '../../protocol/tracker-protocol.ts';
import type { Detector } from './detector.ts';
import { ShockDetector, SilenceDetector } from './event-detectors.ts';
import { DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL } from './mkt.ts';
import type { ConditionProfile } from './profile.ts';
import { RunDetector, type RunKind, type RunRule } from './run-detector.ts';
import { MktAccumulator, TemperatureBudget } from './trip-accumulators.ts';
import type { StagedReading } from './types.ts';

/** The detectors a profile switches on, plus the two that also feed the trip summary. */
export interface RuleSet {
  detectors: Detector[];
  budget: TemperatureBudget | null;
  mkt: MktAccumulator | null;
}

type LimitRule = Omit<RunRule, 'kindAt' | 'holdLimitMs'> & { kind: RunKind };

/** Builds one detector per switched-on limit; `judgingStartsAt` is startedAt + ignore, if known. */
export function buildRules(profile: ConditionProfile, judgingStartsAt: number | undefined): RuleSet {
  const { holdLimitMs } = profile;
  const limit = ({ kind, ...rule }: LimitRule) => new RunDetector({ ...rule, holdLimitMs, kindAt: () => kind });
  const detectors: Detector[] = [];
  let budget: TemperatureBudget | null = null;
  let mkt: MktAccumulator | null = null;

  const t = profile.temperature;
  if (t) {
    const temperature = {
      rule: 'temperature',
      value: (r: Reading) => r.tempC,
      minDurationMs: t.minDurationMs,
      hysteresis: t.hysteresisC,
    } as const;
    if (t.maxC !== undefined) {
      detectors.push(
        limit({ ...temperature, direction: 'above', limit: t.maxC, kind: { type: 'too_hot', severity: t.severity } }),
      );
    }
    if (t.minC !== undefined) {
      detectors.push(
        limit({ ...temperature, direction: 'below', limit: t.minC, kind: { type: 'too_cold', severity: t.severity } }),
      );
    }
    budget = new TemperatureBudget({ minC: t.minC, maxC: t.maxC, allowedMs: t.budgetMs, holdLimitMs });
    mkt = new MktAccumulator({
      activationEnergyKJPerMol: t.mkt?.activationEnergyKJPerMol ?? DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL,
      limitC: t.mkt?.limitC,
      minCoverageMs: t.mkt?.minCoverageMs ?? 0,
      severity: t.severity,
      holdLimitMs,
    });
    detectors.push(budget, mkt);
  }

  const h = profile.humidity;
  if (h) {
    const humidity = {
      rule: 'humidity',
      value: (r: Reading) => r.humidityPct,
      minDurationMs: h.minDurationMs,
      hysteresis: h.hysteresisPct,
    } as const;
    if (h.maxPct !== undefined) {
      detectors.push(
        limit({ ...humidity, direction: 'above', limit: h.maxPct, kind: { type: 'too_humid', severity: h.severity } }),
      );
    }
    if (h.minPct !== undefined) {
      detectors.push(
        limit({ ...humidity, direction: 'below', limit: h.minPct, kind: { type: 'too_dry', severity: h.severity } }),
      );
    }
  }

  if (profile.shock) detectors.push(new ShockDetector(profile.shock.thresholdG, profile.shock.severity));

  const tilt = profile.tilt;
  if (tilt) {
    detectors.push(
      limit({
        rule: 'tilt',
        value: (r) => r.tiltDeg,
        direction: 'above',
        limit: tilt.maxDeg,
        hysteresis: tilt.hysteresisDeg,
        minDurationMs: tilt.minDurationMs,
        kind: { type: 'tilted', severity: tilt.severity },
      }),
    );
  }

  const light = profile.light;
  if (light) {
    // Light at origin is packing, expected; in transit it is a breach; at destination it is delivery evidence.
    const kindAt = ({ stage }: StagedReading): RunKind | null =>
      stage === 'origin'
        ? null
        : stage === 'in_transit'
          ? { type: 'opened_in_transit', severity: light.severity }
          : { type: 'opened_at_destination', severity: 'info' };
    detectors.push(
      new RunDetector({
        rule: 'light',
        value: (r) => r.lightLux,
        direction: 'above',
        limit: light.thresholdLux,
        hysteresis: light.hysteresisLux,
        minDurationMs: light.minDurationMs,
        holdLimitMs,
        kindAt,
      }),
    );
  }

  const battery = profile.battery;
  if (battery) {
    detectors.push(
      limit({
        rule: 'battery',
        value: (r) => r.batteryPct,
        direction: 'below',
        limit: battery.lowPct,
        hysteresis: battery.hysteresisPct,
        minDurationMs: 0,
        kind: { type: 'battery_low', severity: battery.severity },
      }),
    );
  }

  const noSignal = profile.noSignal;
  if (noSignal) detectors.push(new SilenceDetector(noSignal.timeoutMs, noSignal.severity, judgingStartsAt));

  return { detectors, budget, mkt };
}

import type { SimReading } from './protocol.ts';

/**
 * Scripted trips, one per kind of incident a parcel can suffer: exact readings in event
 * time, so a test can say what the platform must conclude from them (when it began, how
 * bad it got) without waiting for real minutes. Written in the tracker's terms only —
 * what the sensors saw — never in the platform's rule names or profiles.
 *
 * Every script starts at `startAt` (packing), reports every `intervalMin` and lets the
 * parcel settle before the incident begins at `incidentAfterMin` (default 30 min: past a
 * platform's usual ignore-after-packing period). ts is epoch ms.
 */

const MIN = 60_000;

export type LatLon = {
  lat: number;
  lon: number;
};

export interface ScenarioOptions {
  /** Epoch ms of packing: the first reading. */
  startAt: number;
  /** seq of the first reading; default 0. */
  firstSeq?: number;
  /** Minutes between regular readings; default 5. */
  intervalMin?: number;
  /** Minutes after packing the incident begins; default 30. */
  incidentAfterMin?: number;
  /** Where the parcel is for every reading (a fix on each); default: no fix. */
  at?: LatLon;
  /** Settled sensor values; default 20 °C, 50 %RH, 3°, 90 % battery. */
  baseline?: Partial<Pick<Required<SimReading>, 'tempC' | 'humidityPct' | 'tiltDeg' | 'batteryPct'>>;
}

/** A field a sensor reads, or the silence itself, or time spent above a temperature. */
export type IncidentMeasure =
  'tempC' | 'humidityPct' | 'shockG' | 'tiltDeg' | 'lightLux' | 'batteryPct' | 'silenceMs' | 'msAboveC';

/** What happened to the parcel, as its readings show it. */
export interface Incident {
  measure: IncidentMeasure;
  /**
   * Event time it began: the ts of the first reading showing it. Signal loss: the last
   * reading before the silence. Time above: the instant the time spent went past the allowance.
   */
  start: number;
  /** ts of the first reading after it (signal loss: the first reading again); null when the script ends inside it. */
  end: number | null;
  /** The extreme: highest value (lowest for cold, dry, battery); silences and time spent in ms. */
  peak: number;
}

export interface Scenario {
  name: ScenarioName;
  /** In event-time order, seq ascending. */
  readings: SimReading[];
  incident: Incident;
}

const BASELINE = { tempC: 20, humidityPct: 50, shockG: 0.1, tiltDeg: 3, lightLux: 0, batteryPct: 90 };

/** A value wobbling near `peak`, never past it: a notch short, the peak, half a notch short, … */
const wobble = (peak: number, k: number, towards: 1 | -1, step: number) => peak - towards * [step, 0, step / 2][k % 3]!;

interface Script {
  o: Required<Omit<ScenarioOptions, 'at' | 'baseline'>> & Pick<ScenarioOptions, 'at'>;
  base: typeof BASELINE;
  readings: SimReading[];
}

function script(opts: ScenarioOptions, baseline: Partial<typeof BASELINE> = {}): Script {
  return {
    o: { firstSeq: 0, intervalMin: 5, incidentAfterMin: 30, ...opts },
    base: { ...BASELINE, ...baseline, ...opts.baseline },
    readings: [],
  };
}

/** Appends a reading at `min` minutes after packing (ms precision allowed). */
function emit(s: Script, min: number, fields: Partial<SimReading> = {}): SimReading {
  const ts = Math.round(s.o.startAt + min * MIN);
  const r: SimReading = { seq: s.o.firstSeq + s.readings.length, ts, ...(s.o.at ?? {}), ...s.base, ...fields };
  s.readings.push(r);
  return r;
}

/** Regular readings from `fromMin` up to and including `toMin`, each with fields(min, k). */
function every(
  s: Script,
  fromMin: number,
  toMin: number,
  fields: (min: number, k: number) => Partial<SimReading> = () => ({}),
): void {
  for (let m = fromMin, k = 0; m <= toMin + 1e-9; m += s.o.intervalMin, k++) emit(s, m, fields(m, k));
}

type Field = 'tempC' | 'humidityPct' | 'tiltDeg' | 'lightLux' | 'batteryPct';

/**
 * The common shape: settled, then `field` held out at about `peak` for `durationMin`,
 * then back to the baseline for two readings. The incident is that run.
 */
function excursion(
  name: ScenarioName,
  s: Script,
  field: Field,
  peak: number,
  durationMin: number,
  step: number,
): Scenario {
  const { incidentAfterMin: at, intervalMin } = s.o;
  const towards = peak >= s.base[field] ? 1 : -1;
  every(s, 0, at - intervalMin);
  every(s, at, at + durationMin - intervalMin, (_m, k) => ({ [field]: wobble(peak, k, towards, step) }));
  const run = s.readings.slice(-Math.round(durationMin / intervalMin));
  const back = emit(s, at + durationMin);
  every(s, at + durationMin + intervalMin, at + durationMin + intervalMin);
  const values = run.map((r) => r[field] as number);
  return {
    name,
    readings: s.readings,
    incident: {
      measure: field,
      start: tsOf(run[0]!),
      end: tsOf(back),
      peak: towards === 1 ? Math.max(...values) : Math.min(...values),
    },
  };
}

const tsOf = (r: SimReading): number => r.ts as number;

export const SCENARIOS = {
  /** The inside heats to about peakC for durationMin (a parked van in summer), then cools again. */
  heatExcursion(o: ScenarioOptions & { peakC?: number; durationMin?: number }): Scenario {
    return excursion('heatExcursion', script(o), 'tempC', o.peakC ?? 31, o.durationMin ?? 25, 1);
  },

  /** A chilled parcel left on a frozen loading dock: about lowC for durationMin. Settles at 5 °C. */
  coldExposure(o: ScenarioOptions & { lowC?: number; durationMin?: number }): Scenario {
    return excursion('coldExposure', script(o, { tempC: 5 }), 'tempC', o.lowC ?? 0, o.durationMin ?? 40, 1);
  },

  /**
   * Warm spells above limitC, each shorter than spellMin + interval, until the time spent
   * above it has gone past budgetMin: many short breaches no single duration rule catches.
   */
  stabilityBudget(o: ScenarioOptions & { limitC?: number; budgetMin?: number; spellMin?: number }): Scenario {
    const s = script(o);
    const limitC = o.limitC ?? 28;
    const budgetMs = (o.budgetMin ?? 60) * MIN;
    const spellMin = o.spellMin ?? 15;
    const { incidentAfterMin: at, intervalMin } = s.o;
    every(s, 0, at - intervalMin);
    const spells = Math.floor(budgetMs / (spellMin * MIN)) + 1;
    for (let i = 0; i < spells; i++) {
      const from = at + i * 2 * spellMin;
      every(s, from, from + spellMin - intervalMin, (_m, k) => ({ tempC: limitC + 2 + (k % 2) }));
      every(s, from + spellMin, from + 2 * spellMin - intervalMin);
    }
    emit(s, at + spells * 2 * spellMin);
    // Time above limitC, each reading holding until the next; the instant it passes the allowance.
    let spent = 0;
    let start = Number.NaN;
    s.readings.forEach((r, i) => {
      const next = s.readings[i + 1];
      if (!next || (r.tempC as number) <= limitC) return;
      const held = tsOf(next) - tsOf(r);
      if (Number.isNaN(start) && spent + held > budgetMs) start = tsOf(r) + (budgetMs - spent);
      spent += held;
    });
    return {
      name: 'stabilityBudget',
      readings: s.readings,
      incident: { measure: 'msAboveC', start, end: null, peak: spent },
    };
  },

  /** Damp air gets into the parcel: about peakPct relative humidity for durationMin. */
  humid(o: ScenarioOptions & { peakPct?: number; durationMin?: number }): Scenario {
    return excursion('humid', script(o), 'humidityPct', o.peakPct ?? 85, o.durationMin ?? 70, 2);
  },

  /** Desiccated air (a heated depot in winter): about lowPct relative humidity for durationMin. */
  dry(o: ScenarioOptions & { lowPct?: number; durationMin?: number }): Scenario {
    return excursion('dry', script(o), 'humidityPct', o.lowPct ?? 15, o.durationMin ?? 40, 2);
  },

  /** Dropped from a conveyor: one event reading, between two regular ones, with shockG = g. */
  drop(o: ScenarioOptions & { g?: number }): Scenario {
    const s = script(o);
    const g = o.g ?? 12;
    const { incidentAfterMin: at, intervalMin } = s.o;
    every(s, 0, at);
    const hit = emit(s, at + 17 / 60, { shockG: g });
    every(s, at + intervalMin, at + 2 * intervalMin);
    return {
      name: 'drop',
      readings: s.readings,
      incident: { measure: 'shockG', start: tsOf(hit), end: tsOf(hit), peak: g },
    };
  },

  /** Put down on its side (about deg) for durationMin, then set upright. */
  tipOver(o: ScenarioOptions & { deg?: number; durationMin?: number }): Scenario {
    return excursion('tipOver', script(o), 'tiltDeg', o.deg ?? 95, o.durationMin ?? 20, 2);
  },

  /** The box is opened for durationMin somewhere on the way (about lux inside), then closed again. */
  openInTransit(o: ScenarioOptions & { lux?: number; durationMin?: number }): Scenario {
    return excursion('openInTransit', script(o), 'lightLux', o.lux ?? 300, o.durationMin ?? 10, 40);
  },

  /**
   * Arrives at the destination after arriveAfterMin (fixes on the way, then at the door),
   * and is opened there after openAfterMin for durationMin.
   */
  openAtDestination(
    o: ScenarioOptions & {
      destination: LatLon;
      arriveAfterMin?: number;
      openAfterMin?: number;
      lux?: number;
      durationMin?: number;
    },
  ): Scenario {
    const arrive = o.arriveAfterMin ?? 45;
    const open = o.openAfterMin ?? 60;
    const s = script({ ...o, incidentAfterMin: open });
    const durationMin = o.durationMin ?? 10;
    const lux = o.lux ?? 300;
    const { intervalMin } = s.o;
    // On the way: north of the destination, closing in, always more than a kilometre off.
    const along = (m: number): LatLon => ({
      lat: round5(o.destination.lat + 0.01 + (0.2 * (arrive - m)) / arrive),
      lon: o.destination.lon,
    });
    every(s, 0, arrive - intervalMin, (m) => along(m));
    every(s, arrive, open - intervalMin, () => o.destination);
    every(s, open, open + durationMin - intervalMin, (_m, k) => ({
      ...o.destination,
      lightLux: wobble(lux, k, 1, 40),
    }));
    const run = s.readings.slice(-Math.round(durationMin / intervalMin));
    const back = emit(s, open + durationMin, o.destination);
    emit(s, open + durationMin + intervalMin, o.destination);
    return {
      name: 'openAtDestination',
      readings: s.readings,
      incident: {
        measure: 'lightLux',
        start: tsOf(run[0]!),
        end: tsOf(back),
        peak: Math.max(...run.map((r) => r.lightLux as number)),
      },
    };
  },

  /** The battery runs down from fromPct by stepPct a reading, past belowPct, to toPct, and stays there. */
  batteryDrain(
    o: ScenarioOptions & { fromPct?: number; stepPct?: number; belowPct?: number; toPct?: number },
  ): Scenario {
    const fromPct = o.fromPct ?? 26;
    const stepPct = o.stepPct ?? 1.5;
    const belowPct = o.belowPct ?? 20;
    const toPct = o.toPct ?? 14;
    const s = script(o, { batteryPct: fromPct });
    const { incidentAfterMin: at, intervalMin } = s.o;
    every(s, 0, at - intervalMin);
    const drained = Math.ceil((fromPct - toPct) / stepPct);
    every(s, at, at + drained * intervalMin, (_m, k) => ({
      batteryPct: Math.max(toPct, round5(fromPct - (k + 1) * stepPct)),
    }));
    const low = s.readings.filter((r) => (r.batteryPct as number) < belowPct);
    return {
      name: 'batteryDrain',
      readings: s.readings,
      incident: {
        measure: 'batteryPct',
        start: tsOf(low[0]!),
        end: null,
        peak: Math.min(...low.map((r) => r.batteryPct as number)),
      },
    };
  },

  /** The tracker stops measuring (modem crash, no buffering) for silenceMin, then reports again. */
  signalLoss(o: ScenarioOptions & { silenceMin?: number }): Scenario {
    const s = script(o);
    const silenceMin = o.silenceMin ?? 80;
    const { incidentAfterMin: at, intervalMin } = s.o;
    every(s, 0, at);
    const last = s.readings.at(-1)!;
    every(s, at + silenceMin, at + silenceMin + intervalMin);
    const back = s.readings.at(-2)!;
    return {
      name: 'signalLoss',
      readings: s.readings,
      incident: { measure: 'silenceMs', start: tsOf(last), end: tsOf(back), peak: tsOf(back) - tsOf(last) },
    };
  },
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

/** Minutes from packing to the last reading of a scenario (to start it that far in the past). */
export function scenarioSpanMs(s: Scenario): number {
  return tsOf(s.readings.at(-1)!) - tsOf(s.readings[0]!);
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

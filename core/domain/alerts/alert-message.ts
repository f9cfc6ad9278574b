/**
 * What an alert says. A person reading it on a phone must know, without opening anything:
 * what happened, how much and for how long, where and at which stage, which sample,
 * creator and SKU, and what to do next (domain brief, "A good alert says").
 */

export type AlertKind = 'opened' | 'escalated' | 'ended' | 'resolved' | 'retracted';

export interface AlertFacts {
  kind: AlertKind;
  exceptionId: number;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  peak: number;
  limit: number;
  durationMs: number;
  startedAt: number;
  endedAt: number | null;
  stage: string | null;
  lat: number | null;
  lon: number | null;
  sampleId: string;
  creator: string;
  sku: string;
  disposition?: string | null;
  resolvedBy?: string | null;
  /** Excursions the incident holds (a rule that flapped within the profile's window); said when more than one. */
  repeatCount?: number;
  /** How it ended: `trip_end` = still going on when the trip ended (receipt + grace), not back in range. */
  endedBy?: string | null;
}

export interface AlertMessage {
  title: string;
  body: string;
  link: string;
}

const WHAT: Record<string, { label: string; unit: string; over: string; next: string }> = {
  too_hot: {
    label: 'Too hot',
    unit: '°C',
    over: 'above',
    next: 'Ask the creator to check the product on arrival; approve a reship if it is spoiled.',
  },
  too_cold: {
    label: 'Too cold',
    unit: '°C',
    over: 'below',
    next: 'Ask the creator to check the product on arrival; approve a reship if it is spoiled.',
  },
  mkt_exceeded: {
    label: 'Mean kinetic temperature over its limit',
    unit: '°C',
    over: 'above',
    next: 'Ask the creator to check the product on arrival; the heat dose of the trip may have spoiled it.',
  },
  budget_exceeded: {
    label: 'Temperature budget used up',
    unit: '°C',
    over: 'outside the range, peak',
    next: 'Treat the product as compromised: plan a reship and a carrier claim.',
  },
  too_humid: {
    label: 'Too humid',
    unit: '%',
    over: 'above',
    next: 'Ask the creator to check the packaging for moisture on arrival.',
  },
  too_dry: { label: 'Too dry', unit: '%', over: 'below', next: 'Ask the creator to check the product on arrival.' },
  shock: {
    label: 'Dropped or hit',
    unit: 'g',
    over: 'above',
    next: 'Ask the creator for photos on arrival; file a carrier claim if it is broken.',
  },
  tilted: {
    label: 'Tilted',
    unit: '°',
    over: 'beyond',
    next: 'Check for leaks on arrival; review the packaging orientation labels.',
  },
  opened_in_transit: {
    label: 'Box opened in transit',
    unit: 'lux',
    over: 'light',
    next: 'Contact the carrier now; the parcel may have been tampered with.',
  },
  opened_at_destination: {
    label: 'Box opened at the destination',
    unit: 'lux',
    over: 'light',
    next: 'Receipt evidence: no action needed.',
  },
  battery_low: {
    label: 'Tracker battery low',
    unit: '%',
    over: 'below',
    next: 'Expect the tracker to go silent; rely on carrier events.',
  },
  no_signal: {
    label: 'Tracker silent',
    unit: '',
    over: '',
    next: 'Check the carrier tracking; the parcel may be out of coverage.',
  },
};

export function formatDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

const STAGE: Record<string, string> = {
  origin: 'at the origin warehouse',
  in_transit: 'in transit',
  destination: "at the creator's address",
};

export function alertMessage(f: AlertFacts, publicUrl: string): AlertMessage {
  const what = WHAT[f.type] ?? { label: f.type, unit: '', over: '', next: 'Review the exception.' };
  const amount =
    f.type === 'no_signal'
      ? `no reading for ${formatDuration(f.durationMs)}`
      : f.type === 'budget_exceeded'
        ? // The budget rule measures time, not temperature: peak and limit are milliseconds.
          `${formatDuration(f.peak)} out of range in all (budget ${formatDuration(f.limit)})`
        : f.type === 'mkt_exceeded'
          ? // A tenth of a degree matters against an MKT limit; the peak is the highest MKT of the trip so far.
            `MKT ${f.peak.toFixed(1)} °C over the trip (limit ${f.limit.toFixed(1)} °C)`
          : `${round(f.peak)} ${what.unit} (${what.over} the limit of ${round(f.limit)} ${what.unit})`.replace(
              /\s+/g,
              ' ',
            );
  const duration =
    f.type === 'no_signal' || f.type === 'shock' || f.type === 'budget_exceeded' || f.type === 'mkt_exceeded'
      ? ''
      : `, ${f.endedAt === null ? 'for' : 'lasted'} ${formatDuration(f.durationMs)}`;
  // One incident per problem: a box opened five times is one exception that says so.
  const repeats = (f.repeatCount ?? 1) > 1 ? `, ${f.repeatCount} times` : '';
  const where = [
    f.stage ? (STAGE[f.stage] ?? f.stage) : null,
    f.lat !== null && f.lon !== null ? `near ${f.lat.toFixed(3)}, ${f.lon.toFixed(3)}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  const since = new Date(f.startedAt).toISOString().replace('.000Z', 'Z');
  const prefix = {
    opened: '',
    escalated: 'ESCALATED, still unacknowledged: ',
    ended: 'Ended: ',
    resolved: 'Resolved: ',
    retracted: 'Withdrawn: ',
  }[f.kind];
  const title = `${prefix}${what.label} · ${f.sampleId} · ${f.creator} · ${f.sku}`;
  const next = {
    opened: `Next: ${what.next}`,
    escalated: `Next: acknowledge it and act. ${what.next}`,
    ended:
      f.endedBy === 'trip_end'
        ? 'The trip ended while it was still going on; the exception stays open until someone resolves it.'
        : 'The condition is back in range; the exception stays open until someone resolves it.',
    resolved: `Resolved by ${f.resolvedBy ?? 'someone'} with disposition ${f.disposition ?? 'none'}.`,
    retracted: 'Later readings showed this did not happen (a coverage gap, not a fault).',
  }[f.kind];
  const body =
    `${what.label}: ${amount}${repeats}${duration}, since ${since}${where ? `, ${where}` : ''}. ` +
    `Sample ${f.sampleId} for ${f.creator}, SKU ${f.sku}. ${next}`;
  return { title, body, link: `${publicUrl.replace(/\/$/, '')}/samples/${encodeURIComponent(f.sampleId)}` };
}

const round = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1));

/** Whether a subscription wants this alert. */
export function subscriptionMatches(
  sub: { eventKinds: readonly string[]; minSeverity: 'info' | 'warning' | 'critical' },
  alert: { kind: AlertKind; severity: 'info' | 'warning' | 'critical' },
): boolean {
  const rank = { info: 0, warning: 1, critical: 2 } as const;
  return sub.eventKinds.includes(alert.kind) && rank[alert.severity] >= rank[sub.minSeverity];
}

/** Retry delay after `attempts` failed deliveries: 1 s doubling, capped, with up to 10 % jitter. */
export function retryDelayMs(attempts: number, baseMs = 1000, capMs = 10 * 60_000, random = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (1 + 0.1 * random()));
}

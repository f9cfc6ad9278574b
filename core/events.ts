import type { AlertKind } from './domain/alerts/alert-message.ts';

/**
 * The platform's change events in one place: the Postgres NOTIFY channels on which a commit
 * announces what changed, the shape of what it announces, and the messages the live
 * WebSocket (/api/live) sends. Repositories NOTIFY on these channels inside the committing
 * transaction; the API's ChangeListener LISTENs on them and its LiveHub turns them into
 * LiveMessages. Nothing here imports storage or the API, so both can import it.
 */

/** Channel on which ingest announces changed parcels; the API listens and pushes them live. */
export const PARCEL_CHANNEL = 'parcel_updates';
/** Channel on which changed exceptions are announced to live listeners. */
export const EXCEPTION_CHANNEL = 'exception_updates';
/** Channel on which new alerts are announced to live listeners. */
export const ALERT_CHANNEL = 'alert_updates';

/** Every channel the live feed listens on. */
export const CHANGE_CHANNELS = [PARCEL_CHANNEL, EXCEPTION_CHANNEL, ALERT_CHANNEL] as const;
export type ChangeChannel = (typeof CHANGE_CHANNELS)[number];

/*
 * A NOTIFY payload is the changed ids joined by commas (device ids on PARCEL_CHANNEL,
 * exception and alert ids on the others): the listener loads their current state, so a
 * payload never carries a stale copy and stays under Postgres's 8000-byte limit.
 */

// What the live messages carry: the records as the API returns them.

/** A tracked parcel as ops see it: the tracker, the sample it is in, its latest state. */
export interface Parcel {
  deviceId: string;
  sampleId: string | null;
  creator: string | null;
  sku: string | null;
  sampleStatus: string | null;
  lat: number | null;
  lon: number | null;
  /** Event time of the latest reading. */
  ts: string | null;
  /** When the platform last received anything from the tracker. */
  lastSeenAt: string | null;
  reading: Record<string, unknown> | null;
  online: boolean;
  fw: string | null;
  batteryPct: number | null;
  /** Exceptions of the parcel's sample still open or acknowledged. */
  openExceptions: number;
}

export type ExceptionStatus = 'open' | 'acknowledged' | 'resolved' | 'retracted';
export type Disposition = 'accept' | 'reship' | 'write_off' | 'carrier_claim';

/** A condition exception as ops see it: the episode, the sample it is raised against, its workflow. */
export interface ConditionException {
  id: number;
  sampleId: string;
  deviceId: string;
  creator: string;
  sku: string;
  rule: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  startedAt: string;
  endedAt: string | null;
  endedBy: string | null;
  peak: number;
  limit: number;
  durationMs: number;
  stage: string | null;
  lat: number | null;
  lon: number | null;
  evidence: number[];
  status: ExceptionStatus;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  disposition: Disposition | null;
  resolutionNote: string | null;
  openedAt: string;
  updatedAt: string;
  /** Excursions this incident holds (a rule that flaps within the profile's flap window extends it). */
  repeatCount: number;
  /** Event time of the latest breaching reading. */
  lastSeenAt: string | null;
}

export interface Alert {
  id: number;
  exceptionId: number;
  kind: AlertKind;
  severity: string;
  sampleId: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
  readBy: string | null;
}

/** What /api/live sends: `hello` first, then changed records; `resync` when some may have been missed. */
export type LiveMessage =
  | { type: 'hello' }
  | { type: 'parcels'; parcels: Parcel[] }
  | { type: 'exceptions'; exceptions: ConditionException[] }
  | { type: 'alerts'; alerts: Alert[] }
  | { type: 'resync' };

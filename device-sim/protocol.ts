/**
 * device-sim's own copy of the tracker wire protocol, version 1 (docs: tracker-protocol.md).
 * Deliberately not imported from core/: the simulator stands in for third-party firmware,
 * which only ever sees the wire, so a platform-side change must not silently change it.
 */

export const telemetryTopic = (id: string): string => `trackers/${id}/telemetry`;
export const statusTopic = (id: string): string => `trackers/${id}/status`;
export const configTopic = (id: string): string => `trackers/${id}/config`;

/** A batch `{"readings": [...]}` holds at most this many readings. */
export const MAX_BATCH_READINGS = 500;
/** A payload is at most 256 KiB. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** seq is an integer 0 … 2^31-1. */
export const MAX_SEQ = 2 ** 31 - 1;
/** The platform rejects a reading whose ts is more than 24 h ahead of its clock. */
export const MAX_FUTURE_MS = 24 * 3600_000;

/** One reading as a tracker sends it. Optional fields are absent, never null. */
export interface SimReading {
  seq: number;
  /** RFC 3339 with offset, or epoch milliseconds. */
  ts: string | number;
  lat?: number;
  lon?: number;
  accM?: number;
  tempC?: number;
  humidityPct?: number;
  shockG?: number;
  tiltDeg?: number;
  lightLux?: number;
  batteryPct?: number;
  rssiDbm?: number;
  /** Unknown fields are allowed by the protocol and kept by the platform (e.g. simSentAt). */
  [extra: string]: unknown;
}

export interface TelemetryBatch {
  readings: SimReading[];
}

export interface StatusPayload {
  state: 'online' | 'offline';
  fw?: string;
  batteryPct?: number;
}

/** `trackers/{id}/config`; every field optional, unknown fields ignored. */
export interface TrackerConfig {
  reportIntervalS?: number;
  shockThresholdG?: number;
  lightThresholdLux?: number;
}

/** The device id rule: client id = username = device id. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

export const SIM_FIRMWARE = 'sim-1.0.0';

import { z } from 'zod';

/**
 * Tracker wire protocol v1 (docs/tracker-protocol.md). This file is the single
 * source of truth for what a tracker may send; ingest, the API docs and the simulator
 * all derive from it. Extensions are additive only.
 */

export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_BATCH_READINGS = 500;
export const MAX_SEQ = 2 ** 31 - 1;
/** Unknown fields may hold nested JSON, but no deeper than this (storage recurses). */
export const MAX_EXTRA_DEPTH = 32;
/** Measurements are stored as 4-byte floats: a larger magnitude cannot be stored. */
export const FLOAT4_MAX = 3.4028234663852886e38;
/** A reading stamped further ahead than this is a broken device clock. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export const DeviceIdSchema = z.string().regex(DEVICE_ID_PATTERN, 'device id must match ^[a-z0-9][a-z0-9-]{2,63}$');

// RFC 3339 requires an offset ("Z" or ±hh:mm); a bare local time is ambiguous and refused.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const TimestampSchema = z.union([
  z
    .string()
    .regex(RFC3339, 'ts must be RFC 3339 with an offset')
    .transform((s, ctx) => {
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: 'ts is not a real date' });
        return z.NEVER;
      }
      return ms;
    }),
  z.number().int('ts in epoch milliseconds must be an integer').min(0),
]);

// z.number() already refuses Infinity and NaN. A field the protocol leaves open on a side
// gets a real's bound there, so its value can be stored (one check per side: hot path).
const finite = () => z.number();
const upToReal = () => z.number().max(FLOAT4_MAX);

/** One reading as measured by a tracker. Unknown fields are kept (`extra`). */
export const ReadingSchema = z.looseObject({
  seq: z.number().int().min(0).max(MAX_SEQ),
  ts: TimestampSchema,
  lat: finite().min(-90).max(90).optional(),
  lon: finite().min(-180).max(180).optional(),
  accM: upToReal().min(0).optional(),
  tempC: finite().min(-80).max(100).optional(),
  humidityPct: finite().min(0).max(100).optional(),
  shockG: upToReal().min(0).optional(),
  tiltDeg: finite().min(0).max(180).optional(),
  lightLux: upToReal().min(0).optional(),
  batteryPct: finite().min(0).max(100).optional(),
  rssiDbm: upToReal().min(-FLOAT4_MAX).optional(),
});

/** The fields the protocol names; anything else on a reading is an extension kept as-is. */
export const KNOWN_READING_FIELDS = Object.keys(ReadingSchema.shape) as (keyof typeof ReadingSchema.shape)[];

export const StatusSchema = z.looseObject({
  state: z.enum(['online', 'offline']),
  fw: z.string().max(128).optional(),
  batteryPct: z.number().min(0).max(100).optional(),
});

/**
 * Bounds of a config the platform sends (the protocol gives types only). Readings come
 * every 300–900 s in practice: 10 s is a bench setting, a day the longest useful gap.
 * Accelerometers in trackers measure up to a few hundred g; direct sunlight is ~100 klux.
 */
export const CONFIG_BOUNDS = {
  reportIntervalS: { min: 10, max: 86_400 },
  shockThresholdG: { min: 0.1, max: 500 },
  lightThresholdLux: { min: 0, max: 200_000 },
} as const;

/**
 * trackers/{id}/config, platform → device (QoS 1, retained). Strict: a field the protocol
 * does not name would be ignored by firmware, so the platform never sends one. Empty is
 * refused: it would replace the retained config with nothing to apply.
 */
export const ConfigMessageSchema = z
  .strictObject({
    reportIntervalS: z
      .number()
      .int()
      .min(CONFIG_BOUNDS.reportIntervalS.min)
      .max(CONFIG_BOUNDS.reportIntervalS.max)
      .optional(),
    shockThresholdG: z
      .number()
      .min(CONFIG_BOUNDS.shockThresholdG.min)
      .max(CONFIG_BOUNDS.shockThresholdG.max)
      .optional(),
    lightThresholdLux: z
      .number()
      .min(CONFIG_BOUNDS.lightThresholdLux.min)
      .max(CONFIG_BOUNDS.lightThresholdLux.max)
      .optional(),
  })
  .refine((c) => Object.keys(c).length > 0, {
    message: 'a config sets at least one of reportIntervalS, shockThresholdG, lightThresholdLux',
  });

export type ReadingInput = z.input<typeof ReadingSchema>;
export type TrackerStatus = z.infer<typeof StatusSchema>;
export type TrackerConfig = z.infer<typeof ConfigMessageSchema>;

/** A validated reading, flattened for storage and rules. Times are epoch ms. */
export interface Reading {
  deviceId: string;
  seq: number;
  ts: number;
  receivedAt: number;
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
  /** Fields the protocol does not name, kept with the reading. */
  extra?: Record<string, unknown>;
}

export type TopicKind = 'telemetry' | 'status' | 'config';

export const topics = {
  telemetry: (id: string) => `trackers/${id}/telemetry`,
  status: (id: string) => `trackers/${id}/status`,
  config: (id: string) => `trackers/${id}/config`,
} as const;

/** Splits `trackers/{id}/{kind}`; null for anything else. */
export function parseTopic(topic: string): { deviceId: string; kind: TopicKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'trackers') return null;
  const [, deviceId, kind] = parts as [string, string, string];
  if (!DEVICE_ID_PATTERN.test(deviceId)) return null;
  if (kind !== 'telemetry' && kind !== 'status' && kind !== 'config') return null;
  return { deviceId, kind };
}

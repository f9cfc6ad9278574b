import { z } from 'zod';
import { DeviceIdSchema } from '../../core/protocol/tracker-protocol.ts';

/** Response and shared schemas of the HTTP API; the OpenAPI document is generated from them. */

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
}).meta({ id: 'Error' });

const isoDate = z.iso.datetime({ offset: true });

export const DeviceSchema = z.object({
  id: DeviceIdSchema,
  label: z.string().nullable(),
  disabledAt: isoDate.nullable(),
  createdAt: isoDate,
  online: z.boolean(),
  fw: z.string().nullable(),
  batteryPct: z.number().nullable(),
  statusAt: isoDate.nullable(),
}).meta({ id: 'Device' });

export const ProvisionedDeviceSchema = z.object({
  id: DeviceIdSchema,
  secret: z.string().describe('The device secret. Shown once; only a salted hash is stored.'),
}).meta({ id: 'ProvisionedDevice' });

export const SampleSchema = z.object({
  id: z.string().regex(/^SMP-\d{2}-\d{6,}$/),
  creator: z.string(),
  sku: z.string(),
  campaign: z.string().nullable(),
  status: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  deviceId: z.string().nullable().describe('The tracker packed in this sample\'s shipment, if any'),
}).meta({ id: 'Sample' });

export const ParcelSchema = z.object({
  deviceId: z.string(),
  sampleId: z.string().nullable(),
  creator: z.string().nullable(),
  sku: z.string().nullable(),
  sampleStatus: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  ts: z.string().nullable().describe('Event time of the latest reading'),
  lastSeenAt: z.string().nullable().describe('When the platform last heard from the tracker'),
  reading: z.record(z.string(), z.unknown()).nullable(),
  online: z.boolean(),
  fw: z.string().nullable(),
  batteryPct: z.number().nullable(),
}).meta({ id: 'Parcel' });

export const TelemetryPointSchema = z.object({
  ts: z.string(),
  seq: z.number().int().optional(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  tempC: z.number().nullable(),
  humidityPct: z.number().nullable(),
  shockG: z.number().nullable(),
  tiltDeg: z.number().nullable(),
  lightLux: z.number().nullable(),
  batteryPct: z.number().nullable(),
  count: z.number().int(),
}).meta({ id: 'TelemetryPoint' });

export const DeadLetterSchema = z.object({
  id: z.number().int(),
  deviceId: z.string().nullable(),
  topic: z.string(),
  reason: z.string(),
  detail: z.string(),
  seq: z.number().int().nullable(),
  raw: z.string(),
  rawBytes: z.number().int(),
  receivedAt: z.string(),
}).meta({ id: 'DeadLetter' });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ConditionExceptionSchema = z.object({
  id: z.number().int(),
  sampleId: z.string(),
  deviceId: z.string(),
  creator: z.string(),
  sku: z.string(),
  rule: z.string(),
  type: z.string().describe('too_hot, too_cold, budget_exceeded, too_humid, too_dry, shock, tilted, opened_in_transit, opened_at_destination, battery_low, no_signal'),
  severity: z.enum(['info', 'warning', 'critical']),
  startedAt: z.string().describe('Event time the condition began'),
  endedAt: z.string().nullable().describe('Event time it ended; null while ongoing'),
  endedBy: z.string().nullable(),
  peak: z.number(),
  limit: z.number(),
  durationMs: z.number(),
  stage: z.string().nullable().describe('origin, in_transit or destination when it started'),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  evidence: z.array(z.number().int()).describe('seqs of the readings that prove it'),
  status: z.enum(['open', 'acknowledged', 'resolved', 'retracted']),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  disposition: z.enum(['accept', 'reship', 'write_off', 'carrier_claim']).nullable(),
  resolutionNote: z.string().nullable(),
  openedAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'ConditionException' });

import { error } from '@sveltejs/kit';
import { serverClock } from './clock.svelte';

/**
 * The platform's HTTP API, and the only module that calls fetch. Types mirror the
 * contract in the API (GET /api/parcels, the /api/live messages) field for field.
 */

/** A tracker's latest reading as the platform stored it; absent fields were not measured. */
export interface Reading {
  seq: number;
  tempC?: number;
  humidityPct?: number;
  shockG?: number;
  tiltDeg?: number;
  lightLux?: number;
  batteryPct?: number;
  rssiDbm?: number;
}

/** A tracked parcel: the tracker, the sample packed with it, and its latest state. */
export interface Parcel {
  deviceId: string;
  sampleId: string | null;
  creator: string | null;
  sku: string | null;
  sampleStatus: string | null;
  lat: number | null;
  lon: number | null;
  /** ISO event time of the latest reading, by the tracker's clock. */
  ts: string | null;
  /** ISO time the platform last received anything from the tracker. */
  lastSeenAt: string | null;
  reading: Reading | null;
  online: boolean;
  fw: string | null;
  batteryPct: number | null;
}

/** An error the API answered with (`{"error": {"code", "message"}}`), or could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Fetch = typeof fetch;

async function getJson<T>(fetchFn: Fetch, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetchFn(path, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new ApiError(503, 'API_UNREACHABLE', `The platform API could not be reached (${String(cause)}).`);
  }
  serverClock.noteServerDate(response.headers.get('date'));
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const apiError = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new ApiError(
      response.status,
      typeof apiError?.code === 'string' ? apiError.code : `HTTP_${response.status}`,
      typeof apiError?.message === 'string' ? apiError.message : `${path} answered ${response.status}.`,
    );
  }
  if (body === null) throw new ApiError(502, 'BAD_RESPONSE', `${path} did not answer with JSON.`);
  return body as T;
}

export const api = {
  /** Every parcel: trackers that have reported or are packed in a sample, in device id order. */
  async listParcels(fetchFn: Fetch = fetch): Promise<Parcel[]> {
    const body = await getJson<{ parcels: Parcel[] }>(fetchFn, '/api/parcels');
    if (!Array.isArray(body.parcels)) throw new ApiError(502, 'BAD_RESPONSE', '/api/parcels has no parcels list.');
    return body.parcels;
  },
};

/**
 * Turns a failed API call inside a load function into SvelteKit's error page, keeping the
 * API's code; anything else is a bug and is left for SvelteKit to report as one.
 */
export function throwLoadError(cause: unknown): never {
  if (cause instanceof ApiError) error(cause.status, { message: cause.message, code: cause.code });
  throw cause;
}

import { http, type TelemetryPoint } from '$lib/api';
import type { Geofences } from './layers';

type Fetch = typeof fetch;

export interface MapConfig {
  /** MAP_TILE_URL: a raster {z}/{x}/{y} template or a style URL; null: the offline basemap only. */
  mapTileUrl: string | null;
}

let pending: Promise<MapConfig> | null = null;

/** GET /api/config, once per page load (it changes only with a restart of the platform). */
export function mapConfig(): Promise<MapConfig> {
  pending ??= http.get<MapConfig>(fetch, '/api/config').catch((cause: unknown) => {
    // Unreachable for a moment: the offline basemap now, another try on the next map.
    pending = null;
    console.warn('map: no /api/config, offline basemap only', cause);
    return { mapTileUrl: null };
  });
  return pending;
}

/** The sample's geofences, as GET /api/samples/:id carries them (destination null if withheld). */
export async function sampleGeofences(fetchFn: Fetch, sampleId: string): Promise<Geofences | null> {
  const sample = await http.get<{ geofences?: Geofences }>(fetchFn, `/api/samples/${encodeURIComponent(sampleId)}`);
  return sample.geofences ?? null;
}

// The API's cap per request (TelemetryQuery.limit); longer trips are read page by page.
const PAGE = 50_000;
const MAX_READINGS = 500_000;

/**
 * Every reading of the sample's trip with a position, in event-time order: the route at full
 * resolution, not the charts' buckets. Pages continue from the last `ts` of a full page (the
 * API's `from` is inclusive), and readings seen twice at that boundary are dropped by seq.
 */
export async function fullRoute(
  fetchFn: Fetch,
  sampleId: string,
): Promise<{ points: TelemetryPoint[]; truncated: boolean }> {
  const out: TelemetryPoint[] = [];
  const seen = new Set<string>();
  let from: string | null = null;
  let truncated = false;
  for (;;) {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (from) params.set('from', from);
    const body = await http.get<{ series: { deviceId: string; points: TelemetryPoint[] }[] }>(
      fetchFn,
      `/api/samples/${encodeURIComponent(sampleId)}/telemetry?${params}`,
    );
    // The next page starts at the earliest tail among the series that filled theirs.
    let last: string | null = null;
    for (const s of body.series) {
      for (const p of s.points) {
        const key = `${s.deviceId}/${p.seq ?? ''}/${p.ts}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (p.lat !== null && p.lon !== null) out.push(p);
      }
      const tail = s.points.at(-1)?.ts ?? null;
      if (s.points.length >= PAGE && tail && (last === null || tail < last)) last = tail;
    }
    if (!last || last === from) break;
    if (seen.size >= MAX_READINGS) {
      truncated = true;
      break;
    }
    from = last;
  }
  out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return { points: out, truncated };
}

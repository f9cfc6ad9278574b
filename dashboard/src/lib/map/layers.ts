import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import type { GeoJSONSource, Map as MapLibre } from 'maplibre-gl';
import { circlePolygon } from './geo';

/**
 * The overlays both maps draw, as GeoJSON sources and circle/line/fill layers (no symbol
 * layers: those need glyphs from a server, see style.ts). Colours are the dashboard's.
 */

export const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

export const STATE_COLOUR = {
  exception: '#d32f2f',
  silent: '#8d939b',
  destination: '#2e7d32',
  transit: '#1e63d6',
} as const;
export type ParcelState = keyof typeof STATE_COLOUR;

export const ROUTE_COLOUR = { route: '#6a1b9a', info: '#1e63d6', warning: '#ef8f00', critical: '#d32f2f' } as const;
export const GEOFENCE_COLOUR = { origin: '#00796b', destination: '#c2185b' } as const;

export function setData(map: MapLibre, id: string, data: FeatureCollection | Feature): Promise<void> {
  return (map.getSource(id) as GeoJSONSource | undefined)?.setData(data) ?? Promise.resolve();
}

export interface ParcelProps {
  deviceId: string;
  sampleId: string | null;
  state: ParcelState;
}

/**
 * Parcels, clustered (supercluster in MapLibre's worker). Each cluster carries how many of
 * its parcels are in each state, so it takes the colour of the most urgent one. Clusters are
 * drawn as HTML buttons by clusters.ts (their counts need text, and buttons take focus);
 * single parcels are circles here.
 */
export function addParcelLayers(map: MapLibre): void {
  map.addSource('parcels', {
    type: 'geojson',
    data: EMPTY,
    cluster: true,
    clusterRadius: 50,
    clusterMaxZoom: 14,
    clusterProperties: {
      exception: ['+', ['case', ['==', ['get', 'state'], 'exception'], 1, 0]],
      silent: ['+', ['case', ['==', ['get', 'state'], 'silent'], 1, 0]],
      destination: ['+', ['case', ['==', ['get', 'state'], 'destination'], 1, 0]],
    },
  });
  // Invisible: what clusters.ts asks for the clusters drawn now (rendered features come from
  // the tiles of the current zoom only; the source's cache also holds other zooms' clusters).
  map.addLayer({
    id: 'parcel-clusters',
    type: 'circle',
    source: 'parcels',
    filter: ['has', 'point_count'],
    paint: { 'circle-radius': 16, 'circle-opacity': 0, 'circle-stroke-opacity': 0 },
  });
  map.addLayer({
    id: 'parcel-points',
    type: 'circle',
    source: 'parcels',
    filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-color': [
        'match',
        ['get', 'state'],
        'exception',
        STATE_COLOUR.exception,
        'silent',
        STATE_COLOUR.silent,
        'destination',
        STATE_COLOUR.destination,
        STATE_COLOUR.transit,
      ],
      'circle-radius': ['case', ['==', ['get', 'state'], 'exception'], 6, 5],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.2,
    },
  });
}

export function parcelFeature(lon: number, lat: number, props: ParcelProps): Feature<Point, ParcelProps> {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: props };
}

/** The selected parcel: a ring above everything, clustered or not; its route and replay point. */
export function addSelectionLayers(map: MapLibre): void {
  map.addSource('track', { type: 'geojson', data: EMPTY });
  map.addSource('selection', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'track',
    type: 'line',
    source: 'track',
    layout: { 'line-join': 'round', 'line-cap': 'round' },
    paint: { 'line-color': ROUTE_COLOUR.route, 'line-width': 3, 'line-opacity': 0.85 },
  });
  map.addLayer({
    id: 'selection-point',
    type: 'circle',
    source: 'selection',
    filter: ['==', ['get', 'role'], 'parcel'],
    paint: {
      'circle-color': [
        'match',
        ['get', 'state'],
        'exception',
        STATE_COLOUR.exception,
        'silent',
        STATE_COLOUR.silent,
        'destination',
        STATE_COLOUR.destination,
        STATE_COLOUR.transit,
      ],
      'circle-radius': 6,
      'circle-stroke-color': '#111111',
      'circle-stroke-width': 3,
    },
  });
  map.addLayer({
    id: 'replay-point',
    type: 'circle',
    source: 'selection',
    filter: ['==', ['get', 'role'], 'replay'],
    paint: {
      'circle-color': ROUTE_COLOUR.route,
      'circle-radius': 6,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  });
}

export interface Geofences {
  origin: { lat: number; lon: number } | null;
  destination: { lat: number; lon: number } | null;
  radiusM: number;
}

/** Origin and destination geofences, drawn at their true radius, with their centres. */
export function addGeofenceLayers(map: MapLibre, before?: string): void {
  map.addSource('geofences', { type: 'geojson', data: EMPTY });
  const colour = [
    'match',
    ['get', 'kind'],
    'origin',
    GEOFENCE_COLOUR.origin,
    GEOFENCE_COLOUR.destination,
  ] as unknown as string;
  map.addLayer(
    {
      id: 'geofence-fill',
      type: 'fill',
      source: 'geofences',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': colour, 'fill-opacity': 0.14 },
    },
    before,
  );
  map.addLayer(
    {
      id: 'geofence-line',
      type: 'line',
      source: 'geofences',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'line-color': colour, 'line-width': 2, 'line-dasharray': [2, 1] },
    },
    before,
  );
  // At country zoom a 300 m ring is less than a pixel: the centre stays visible as a dot.
  map.addLayer(
    {
      id: 'geofence-centre',
      type: 'circle',
      source: 'geofences',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': colour,
        'circle-radius': 4,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    },
    before,
  );
}

export function geofenceFeatures(g: Geofences | null | undefined): FeatureCollection {
  const features: Feature<Geometry, { kind: string; radiusM: number }>[] = [];
  if (g) {
    for (const kind of ['origin', 'destination'] as const) {
      const c = g[kind];
      if (!c) continue;
      features.push({
        type: 'Feature',
        geometry: circlePolygon(c.lat, c.lon, g.radiusM),
        properties: { kind, radiusM: g.radiusM },
      });
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
        properties: { kind, radiusM: g.radiusM },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

/** A trip's full route, excursion stretches in their severity's colour, ends and exception starts. */
export function addRouteLayers(map: MapLibre): void {
  map.addSource('route', { type: 'geojson', data: EMPTY });
  map.addSource('route-marks', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'route',
    type: 'line',
    source: 'route',
    layout: { 'line-join': 'round', 'line-cap': 'round' },
    paint: {
      'line-color': [
        'match',
        ['get', 'kind'],
        'critical',
        ROUTE_COLOUR.critical,
        'warning',
        ROUTE_COLOUR.warning,
        'info',
        ROUTE_COLOUR.info,
        ROUTE_COLOUR.route,
      ],
      'line-width': ['case', ['==', ['get', 'kind'], 'route'], 3, 5],
    },
  });
  map.addLayer({
    id: 'route-marks',
    type: 'circle',
    source: 'route-marks',
    paint: {
      'circle-color': ['match', ['get', 'role'], 'start', '#ffffff', 'end', ROUTE_COLOUR.route, STATE_COLOUR.exception],
      'circle-radius': ['match', ['get', 'role'], 'exception', 4, 6],
      'circle-stroke-color': ['match', ['get', 'role'], 'start', ROUTE_COLOUR.route, '#ffffff'],
      'circle-stroke-width': 2,
    },
  });
}

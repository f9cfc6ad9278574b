import type { StyleSpecification } from 'maplibre-gl';
import { BASEMAP_ATTRIBUTION, basemapData } from './basemap';

/**
 * What MAP_TILE_URL asks for (GET /api/config): nothing (the offline basemap alone), a
 * raster `{z}/{x}/{y}` tile template drawn over it, or a MapLibre style document (vector
 * tiles, with its own glyphs and sprites) that replaces it.
 */
export type Basemap = { kind: 'offline' } | { kind: 'raster'; url: string } | { kind: 'style'; url: string };

export function basemapOf(mapTileUrl: string | null | undefined): Basemap {
  if (!mapTileUrl) return { kind: 'offline' };
  if (/\{z\}/.test(mapTileUrl) && /\{x\}/.test(mapTileUrl) && /\{y\}/.test(mapTileUrl))
    return { kind: 'raster', url: mapTileUrl };
  return { kind: 'style', url: mapTileUrl };
}

/** Whose tiles these are, for the attribution line: the tile server's host. */
export function tileHost(url: string): string {
  try {
    return new URL(url.replace(/\{[a-z]+\}/g, '0')).host;
  } catch {
    return 'configured tile server';
  }
}

const LIGHT = { sea: '#e6eef6', land: '#fbfbf9', border: '#b4bcc5', states: '#cfd5db' };
const DARK = { sea: '#10161d', land: '#1c2229', border: '#3a434d', states: '#2d353e' };

/**
 * Our own style: the bundled outlines as GeoJSON sources, street tiles on top when
 * configured. No `glyphs` or `sprite`: nothing in it needs fonts or icons from a server, so
 * the map draws with no network beyond the platform (overlays use circles and lines only).
 */
export function offlineStyle(basemap: Basemap, dark: boolean): StyleSpecification {
  const c = dark ? DARK : LIGHT;
  const { countries, stateBorders } = basemapData();
  const style: StyleSpecification = {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: countries, attribution: BASEMAP_ATTRIBUTION, tolerance: 0.6 },
      states: { type: 'geojson', data: stateBorders, tolerance: 0.6 },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': c.sea } },
      { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': c.land } },
      {
        id: 'country-borders',
        type: 'line',
        source: 'countries',
        paint: { 'line-color': c.border, 'line-width': 0.8 },
      },
      { id: 'state-borders', type: 'line', source: 'states', paint: { 'line-color': c.states, 'line-width': 0.6 } },
    ],
  };
  if (basemap.kind === 'raster') {
    // Over the outlines, which stay visible wherever a tile is missing or still loading.
    style.sources.street = {
      type: 'raster',
      tiles: [basemap.url],
      tileSize: 256,
      maxzoom: 19,
      attribution: `Street tiles: ${tileHost(basemap.url)}`,
    };
    style.layers.push({ id: 'street', type: 'raster', source: 'street' });
  }
  return style;
}

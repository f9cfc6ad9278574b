import { geoMercator, geoPath, type GeoProjection } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
// Public-domain Natural Earth (world-atlas) and US Census (us-atlas) outlines, bundled:
// the map needs no network beyond the platform itself.
import world from 'world-atlas/countries-50m.json';
import usStates from 'us-atlas/states-10m.json';

/**
 * The offline basemap. Everything is projected once into a fixed "world plane" (Web
 * Mercator, so street tiles could line up later): WORLD_SIZE units wide, the equator and
 * the antimeridian where Mercator puts them. The page zooms and pans that plane with a
 * transform; markers and tracks are projected into the same plane.
 */
export const WORLD_SIZE = 1000;

export const projection: GeoProjection = geoMercator()
  .scale(WORLD_SIZE / (2 * Math.PI))
  .translate([WORLD_SIZE / 2, WORLD_SIZE / 2])
  .precision(0.2);

/** [x, y] in the world plane of a latitude and longitude. */
export function project(lat: number, lon: number): [number, number] {
  return projection([lon, lat]) ?? [0, 0];
}

/** Latitude and longitude of a point of the world plane. */
export function unproject(x: number, y: number): [number, number] {
  const p = projection.invert([x, y]);
  return p ? [p[1], p[0]] : [0, 0];
}

export interface Basemap {
  /** One path per country. */
  countries: { id: string; name: string; d: string }[];
  /** US state borders (interior lines only), one path. */
  stateBorders: string;
}

let cached: Basemap | null = null;

/** The outlines as SVG path data in the world plane; computed once per page load. */
export function basemap(): Basemap {
  if (cached) return cached;
  const path = geoPath(projection);
  const countriesTopo = world as unknown as { objects: { countries: unknown } };
  const collection = feature(countriesTopo, countriesTopo.objects.countries);
  const features = 'features' in collection ? collection.features : [collection];
  const countries = features
    // Antarctica: no parcels go there, and Mercator makes it fill the bottom of the map.
    .filter((f) => String(f.id) !== '010')
    .map((f, i) => ({ id: `${i}-${String(f.id ?? '')}`, name: f.properties?.name ?? '', d: path(f) ?? '' }))
    .filter((c) => c.d);
  const statesTopo = usStates as unknown as { objects: { states: unknown } };
  const stateBorders = path(mesh(statesTopo, statesTopo.objects.states, (a, b) => a !== b)) ?? '';
  cached = { countries, stateBorders };
  return cached;
}

import type { Feature, FeatureCollection, Geometry, MultiLineString } from 'geojson';
import { feature, mesh } from 'topojson-client';
// Public-domain Natural Earth (world-atlas) and US Census (us-atlas) outlines, bundled:
// the offline basemap needs no network beyond the platform itself.
import world from 'world-atlas/countries-50m.json';
import usStates from 'us-atlas/states-10m.json';

export interface BasemapData {
  /** One polygon feature per country, with its `name`. */
  countries: FeatureCollection<Geometry, { name: string }>;
  /** US state borders (interior lines only). */
  stateBorders: Feature<MultiLineString>;
}

let cached: BasemapData | null = null;

/** The outlines as GeoJSON, converted from TopoJSON once per page load. */
export function basemapData(): BasemapData {
  if (cached) return cached;
  const countriesTopo = world as unknown as { objects: { countries: unknown } };
  const collection = feature(countriesTopo, countriesTopo.objects.countries);
  const all = 'features' in collection ? collection.features : [collection];
  const features = all
    // Antarctica: no parcels go there, and Mercator stretches it across the bottom of the map.
    .filter((f) => String(f.id) !== '010')
    .map((f) => ({
      type: 'Feature' as const,
      id: Number(f.id) || undefined,
      properties: { name: f.properties?.name ?? '' },
      geometry: f.geometry as Geometry,
    }));
  const statesTopo = usStates as unknown as { objects: { states: unknown } };
  const borders = mesh(statesTopo, statesTopo.objects.states, (a, b) => a !== b) as MultiLineString;
  cached = {
    countries: { type: 'FeatureCollection', features },
    stateBorders: { type: 'Feature', properties: {}, geometry: borders },
  };
  return cached;
}

export const BASEMAP_ATTRIBUTION = 'Outlines: Natural Earth, US Census (public domain)';

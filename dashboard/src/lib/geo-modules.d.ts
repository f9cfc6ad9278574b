// The few parts of topojson-client the offline basemap uses; the package ships no types.
declare module 'topojson-client' {
  export function feature(
    topology: unknown,
    object: unknown,
  ): { type: 'FeatureCollection'; features: GeoFeature[] } | GeoFeature;
  export function mesh(topology: unknown, object: unknown, filter?: (a: unknown, b: unknown) => boolean): unknown;
  export interface GeoFeature {
    type: 'Feature';
    id?: string | number;
    properties: { name?: string } | null;
    geometry: unknown;
  }
}

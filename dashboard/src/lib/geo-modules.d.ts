// The few parts of d3-geo and topojson-client the map uses; neither package ships types.
declare module 'd3-geo' {
  export interface GeoProjection {
    (point: [number, number]): [number, number] | null;
    invert(point: [number, number]): [number, number] | null;
    scale(k: number): GeoProjection;
    translate(t: [number, number]): GeoProjection;
    fitExtent(extent: [[number, number], [number, number]], object: unknown): GeoProjection;
    clipExtent(extent: [[number, number], [number, number]] | null): GeoProjection;
    precision(p: number): GeoProjection;
  }
  export function geoMercator(): GeoProjection;
  export function geoPath(projection?: GeoProjection | null): {
    (object: unknown): string | null;
  };
}

declare module 'topojson-client' {
  export function feature(topology: unknown, object: unknown): { type: 'FeatureCollection'; features: GeoFeature[] } | GeoFeature;
  export function mesh(topology: unknown, object: unknown, filter?: (a: unknown, b: unknown) => boolean): unknown;
  export interface GeoFeature {
    type: 'Feature';
    id?: string | number;
    properties: { name?: string } | null;
    geometry: unknown;
  }
}

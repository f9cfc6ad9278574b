import { Marker, type GeoJSONSource, type Map as MapLibre } from 'maplibre-gl';
import { STATE_COLOUR, type ParcelState } from './layers';

interface ClusterProps {
  cluster_id: number;
  point_count: number;
  exception: number;
  silent: number;
  destination: number;
}

/** The most urgent state among a cluster's parcels gives it its colour. */
export function clusterState(
  p: Pick<ClusterProps, 'point_count' | 'exception' | 'silent' | 'destination'>,
): ParcelState {
  if (p.exception > 0) return 'exception';
  if (p.silent > 0) return 'silent';
  if (p.destination >= p.point_count) return 'destination';
  return 'transit';
}

export function clusterLabel(p: Pick<ClusterProps, 'point_count' | 'exception' | 'silent'>): string {
  const parts = [`${p.point_count} parcels`];
  if (p.exception) parts.push(`${p.exception} with open exceptions`);
  if (p.silent) parts.push(`${p.silent} silent`);
  return `${parts.join(', ')}: zoom in`;
}

/**
 * The clusters of the `parcels` source as HTML buttons over the map: a count needs text
 * (WebGL text needs glyphs from a server), and a button can be reached with Tab and opened
 * with Enter, which a WebGL circle cannot. MapLibre moves markers with the map in the same
 * frame; the set is re-read from what was rendered after each render that moved the map or
 * changed the source, and elements are reused by cluster id, so panning costs little DOM churn.
 */
export class ClusterMarkers {
  #markers = new Map<number, { marker: Marker; el: HTMLButtonElement; key: string }>();
  #map: MapLibre;
  #dirty = true;
  #onRender = () => this.#sync();
  #onData = (e: { sourceId?: string; isSourceLoaded?: boolean }) => {
    if (e.sourceId === 'parcels') this.#dirty = true;
  };
  #onMove = () => {
    this.#dirty = true;
  };

  constructor(map: MapLibre) {
    this.#map = map;
    map.on('render', this.#onRender);
    map.on('sourcedata', this.#onData);
    // While the map moves, clusters come into view at its edges.
    map.on('move', this.#onMove);
    map.on('moveend', this.#onMove);
  }

  #sync(): void {
    const map = this.#map;
    if (!this.#dirty || !map.getSource('parcels') || !map.isSourceLoaded('parcels')) return;
    this.#dirty = false;
    const seen = new Set<number>();
    for (const f of map.queryRenderedFeatures({ layers: ['parcel-clusters'] })) {
      const p = f.properties as ClusterProps;
      if (seen.has(p.cluster_id)) continue; // a cluster straddling tiles comes once per tile
      seen.add(p.cluster_id);
      const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
      const state = clusterState(p);
      const key = `${p.point_count}/${p.exception}/${p.silent}/${p.destination}`;
      let m = this.#markers.get(p.cluster_id);
      if (!m) {
        const el = document.createElement('button');
        el.type = 'button';
        el.className = 'cluster-marker';
        el.dataset.cluster = String(p.cluster_id);
        el.addEventListener('click', (event) => {
          event.stopPropagation();
          void this.#zoomInto(Number(el.dataset.cluster), m!.marker);
        });
        m = { marker: new Marker({ element: el }).setLngLat([lon, lat]).addTo(map), el, key: '' };
        this.#markers.set(p.cluster_id, m);
      } else {
        m.marker.setLngLat([lon, lat]);
      }
      if (m.key !== key) {
        m.key = key;
        // Smaller than the clustering radius (layers.ts), so neighbouring clusters do not overlap.
        const size = Math.round(Math.min(44, 22 + Math.log2(p.point_count) * 2.5));
        m.el.textContent = p.point_count >= 1000 ? `${Math.floor(p.point_count / 100) / 10}k` : String(p.point_count);
        m.el.style.setProperty('--size', `${size}px`);
        m.el.style.setProperty('--colour', STATE_COLOUR[state]);
        m.el.dataset.state = state;
        m.el.dataset.count = String(p.point_count);
        m.el.setAttribute('aria-label', clusterLabel(p));
        m.el.title = clusterLabel(p);
      }
    }
    for (const [id, m] of this.#markers) {
      if (seen.has(id)) continue;
      m.marker.remove();
      this.#markers.delete(id);
    }
  }

  async #zoomInto(clusterId: number, marker: Marker): Promise<void> {
    const source = this.#map.getSource('parcels') as GeoJSONSource | undefined;
    if (!source) return;
    const zoom = await source.getClusterExpansionZoom(clusterId).catch(() => this.#map.getZoom() + 2);
    this.#map.easeTo({ center: marker.getLngLat(), zoom: Math.min(zoom, this.#map.getMaxZoom()) });
  }

  remove(): void {
    const map = this.#map;
    map.off('render', this.#onRender);
    map.off('sourcedata', this.#onData);
    map.off('move', this.#onMove);
    map.off('moveend', this.#onMove);
    for (const m of this.#markers.values()) m.marker.remove();
    this.#markers.clear();
  }
}

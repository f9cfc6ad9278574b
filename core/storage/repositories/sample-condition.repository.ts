import type { LatLon, TripGeofences } from '../../domain/geofence.ts';
import type { Sql } from '../sql.ts';

/** A sample's condition settings: its own profile (if any), its product's, and its trip's geofences. */
export class SampleConditionRepository {
  constructor(private readonly sql: Sql) {}

  async profiles(sampleId: string): Promise<{ sampleProfile: unknown; productProfile: unknown } | undefined> {
    const { rows } = await this.sql.query<{ sampleProfile: unknown; productProfile: unknown }>(
      `select s.condition_profile as "sampleProfile", p.condition_profile as "productProfile"
       from samples s left join products p on p.sku = s.sku where s.id = $1`,
      [sampleId],
    );
    return rows[0];
  }

  /** Returns false when there is no such sample. */
  async setProfile(sampleId: string, profile: object | null): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update samples set condition_profile = $2, updated_at = now() where id = $1',
      [sampleId, profile === null ? null : JSON.stringify(profile)],
    );
    return (rowCount ?? 0) > 0;
  }

  async geofences(sampleId: string): Promise<TripGeofences | undefined> {
    const { rows } = await this.sql.query<{
      oLat: number | null;
      oLon: number | null;
      dLat: number | null;
      dLon: number | null;
      radiusM: number;
    }>(
      `select origin_lat as "oLat", origin_lon as "oLon", destination_lat as "dLat", destination_lon as "dLon", geofence_radius_m as "radiusM"
       from samples where id = $1`,
      [sampleId],
    );
    const r = rows[0];
    if (!r) return undefined;
    const point = (lat: number | null, lon: number | null): LatLon | null =>
      lat !== null && lon !== null ? { lat, lon } : null;
    return { origin: point(r.oLat, r.oLon), destination: point(r.dLat, r.dLon), radiusM: r.radiusM };
  }
}

import type { ConditionProfileInput } from '../../core/domain/condition/index.ts';
import type { Pool } from '../../core/storage/database.ts';

/** Test-data builders: rows a test needs, written straight to the real database. */
export async function aProduct(pool: Pool, p: { sku: string; name?: string; unitCost?: number; profile?: ConditionProfileInput }): Promise<void> {
  await pool.query(
    `insert into products (sku, name, unit_cost, inventory_on_hand, condition_profile) values ($1, $2, $3, 100, $4)
     on conflict (sku) do update set condition_profile = excluded.condition_profile`,
    [p.sku, p.name ?? p.sku, p.unitCost ?? 10, p.profile ? JSON.stringify(p.profile) : null],
  );
}

export async function geofences(pool: Pool, sampleId: string, g: { origin?: [number, number]; destination?: [number, number]; radiusM?: number }): Promise<void> {
  await pool.query(
    `update samples set origin_lat = $2, origin_lon = $3, destination_lat = $4, destination_lon = $5,
       geofence_radius_m = coalesce($6, geofence_radius_m) where id = $1`,
    [sampleId, g.origin?.[0] ?? null, g.origin?.[1] ?? null, g.destination?.[0] ?? null, g.destination?.[1] ?? null, g.radiusM ?? null],
  );
}

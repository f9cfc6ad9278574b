import type { ConditionProfileInput } from '../../core/domain/condition/index.ts';
import type { Pool } from '../../core/storage/database.ts';

/** Test-data builders: rows a test needs, written straight to the real database. */
export async function aProduct(
  pool: Pool,
  p: { sku: string; name?: string; unitCost?: number; profile?: ConditionProfileInput },
): Promise<void> {
  await pool.query(
    `insert into products (sku, name, unit_cost, inventory_on_hand, condition_profile) values ($1, $2, $3, 100, $4)
     on conflict (sku) do update set condition_profile = excluded.condition_profile`,
    [p.sku, p.name ?? p.sku, p.unitCost ?? 10, p.profile ? JSON.stringify(p.profile) : null],
  );
}

export async function geofences(
  pool: Pool,
  sampleId: string,
  g: { origin?: [number, number]; destination?: [number, number]; radiusM?: number },
): Promise<void> {
  await pool.query(
    `update samples set origin_lat = $2, origin_lon = $3, destination_lat = $4, destination_lon = $5,
       geofence_radius_m = coalesce($6, geofence_radius_m) where id = $1`,
    [
      sampleId,
      g.origin?.[0] ?? null,
      g.origin?.[1] ?? null,
      g.destination?.[0] ?? null,
      g.destination?.[1] ?? null,
      g.radiusM ?? null,
    ],
  );
}

/** What `manyExceptions` made: the samples (with their creator) and the exception ids, by k. */
export interface SeededExceptions {
  samples: { id: string; creator: string; sku: string; deviceId: string }[];
  ids: number[];
}

export const SEEDED_TYPES = [
  { rule: 'temperature', type: 'too_hot', peak: 31, limit: 28 },
  { rule: 'shock', type: 'shock', peak: 12, limit: 8 },
  { rule: 'humidity', type: 'too_humid', peak: 90, limit: 80 },
  { rule: 'battery', type: 'battery_low', peak: 8, limit: 15 },
] as const;
export const SEEDED_SEVERITIES = ['critical', 'warning', 'info'] as const;
export const SEEDED_STAGES = ['origin', 'in_transit', 'destination'] as const;

/**
 * `count` open exceptions spread over `samples` new samples (each with its own tracker),
 * written straight to the database in one statement, as if the rules had raised them:
 * exception k belongs to sample k mod `samples`, is of type k mod 4 (SEEDED_TYPES), severity
 * k mod 3, stage ⌊k / 3⌋ mod 3, and began (and was opened) k minutes before `now`. `ids[k]` is
 * exception k's id. For tests of the inbox at scale, where driving a thousand episodes through
 * trackers would test the rules, not the inbox. The creator of sample s is `@<tag>.creator<s mod 7>`.
 */
export async function manyExceptions(
  pool: Pool,
  o: { count: number; samples: number; tag: string; now?: number },
): Promise<SeededExceptions> {
  const now = o.now ?? Date.now();
  const samples: SeededExceptions['samples'] = [];
  for (let s = 0; s < o.samples; s++) {
    const deviceId = `trk-${o.tag}-${s}`.toLowerCase();
    await pool.query(`insert into devices (id, secret_hash) values ($1, 'not-a-hash')`, [deviceId]);
    const creator = `@${o.tag}.creator${s % 7}`;
    const sku = `${o.tag.toUpperCase()}-SKU-${s % 5}`;
    const { rows } = await pool.query<{ id: string }>(
      `insert into samples (id, creator, sku, status) values ('SMP-26-' || lpad(nextval('sample_number_seq')::text, 6, '0'), $1, $2, 'in_transit')
       returning id`,
      [creator, sku],
    );
    samples.push({ id: rows[0]!.id, creator, sku, deviceId });
  }
  const i = Array.from({ length: o.count }, (_, k) => k);
  const { rows } = await pool.query<{ id: string; episode: string }>(
    `insert into condition_exceptions (sample_id, device_id, episode_id, rule, type, severity, started_at, ended_at, peak,
       limit_value, duration_ms, stage, evidence, opened_at, last_seen_at)
     select ($1::text[])[1 + k % $8], ($2::text[])[1 + k % $8], 'seed-' || k, ($3::text[])[1 + k % 4], ($4::text[])[1 + k % 4],
       ($5::text[])[1 + k % 3], to_timestamp(($9::bigint - k * 60000) / 1000.0), null, ($6::float8[])[1 + k % 4],
       ($7::float8[])[1 + k % 4], 600000, ($10::text[])[1 + (k / 3) % 3], '{1,2}', to_timestamp(($9::bigint - k * 60000) / 1000.0),
       to_timestamp(($9::bigint - k * 60000) / 1000.0)
     from unnest($11::int[]) k order by k
     returning id, episode_id as episode`,
    [
      samples.map((s) => s.id),
      samples.map((s) => s.deviceId),
      SEEDED_TYPES.map((t) => t.rule),
      SEEDED_TYPES.map((t) => t.type),
      SEEDED_SEVERITIES,
      SEEDED_TYPES.map((t) => t.peak),
      SEEDED_TYPES.map((t) => t.limit),
      o.samples,
      now,
      SEEDED_STAGES,
      i,
    ],
  );
  const ids: number[] = [];
  for (const r of rows) ids[Number(r.episode.slice('seed-'.length))] = Number(r.id);
  return { samples, ids };
}

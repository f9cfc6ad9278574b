import type { TrackerConfig } from '../../protocol/tracker-protocol.ts';
import type { Sql } from '../sql.ts';

export interface DeviceRow {
  id: string;
  label: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  online: boolean;
  fw: string | null;
  batteryPct: number | null;
  statusAt: Date | null;
  /** The desired config (trackers/{id}/config), null while none was set. */
  config: TrackerConfig | null;
  configUpdatedAt: Date | null;
  configUpdatedBy: string | null;
  /** When the broker took the retained message of this config; null: not yet. */
  configPublishedAt: Date | null;
}

const COLUMNS = `id, label, disabled_at as "disabledAt", created_at as "createdAt", online, fw,
  battery_pct as "batteryPct", status_at as "statusAt", config, config_updated_at as "configUpdatedAt",
  config_updated_by as "configUpdatedBy", config_published_at as "configPublishedAt"`;

export class DeviceRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts a device; false when the id is taken. */
  async insert(id: string, secretHash: string, label: string | null): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'insert into devices (id, secret_hash, label) values ($1, $2, $3) on conflict (id) do nothing',
      [id, secretHash, label],
    );
    return rowCount === 1;
  }

  async nextFreeId(): Promise<string> {
    const { rows } = await this.sql.query<{ n: number }>(
      `select coalesce(max(substring(id from '^trk-(\\d{6,})$')::bigint), 0) + 1 as n from devices`,
    );
    return `trk-${String(rows[0]?.n ?? 1).padStart(6, '0')}`;
  }

  /** Which of these ids are provisioned devices. */
  async existing(ids: ReadonlySet<string>): Promise<Set<string>> {
    if (ids.size === 0) return new Set();
    const { rows } = await this.sql.query<{ id: string }>('select id from devices where id = any($1)', [[...ids]]);
    return new Set(rows.map((r) => r.id));
  }

  async credentials(id: string): Promise<{ secretHash: string; disabled: boolean } | undefined> {
    const { rows } = await this.sql.query<{ secretHash: string; disabled: boolean }>(
      'select secret_hash as "secretHash", disabled_at is not null as disabled from devices where id = $1',
      [id],
    );
    return rows[0];
  }

  /** Replaces the secret's hash; false when there is no such device. */
  async setSecretHash(id: string, secretHash: string): Promise<boolean> {
    const { rowCount } = await this.sql.query('update devices set secret_hash = $2 where id = $1', [id, secretHash]);
    return rowCount === 1;
  }

  /** Replaces the secret's hash only while it is still `current`; false otherwise. */
  async replaceSecretHash(id: string, current: string, next: string): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      'update devices set secret_hash = $3 where id = $1 and secret_hash = $2',
      [id, current, next],
    );
    return rowCount === 1;
  }

  /** A key in platform_keys, without making one (an earlier device-secret key). */
  async platformKeyIfAny(name: string): Promise<string | undefined> {
    const { rows } = await this.sql.query<{ value: string }>('select value from platform_keys where name = $1', [name]);
    return rows[0]?.value;
  }

  /**
   * Disables (keeping the first disabled_at) or enables a device; the row as it was before,
   * or undefined when there is no such device. Locks the row for the rest of the transaction.
   */
  async setDisabled(id: string, disabled: boolean): Promise<{ before: DeviceRow; after: DeviceRow } | undefined> {
    const { rows } = await this.sql.query<DeviceRow>(`select ${COLUMNS} from devices where id = $1 for update`, [id]);
    const before = rows[0];
    if (!before) return undefined;
    const { rows: after } = await this.sql.query<DeviceRow>(
      `update devices set disabled_at = case when $2 then coalesce(disabled_at, now()) else null end
       where id = $1 returning ${COLUMNS}`,
      [id, disabled],
    );
    return { before, after: after[0]! };
  }

  /**
   * Replaces the desired config; the row as it was before and after, or undefined when there
   * is no such device. Locks the row for the rest of the transaction.
   */
  async setConfig(
    id: string,
    config: TrackerConfig,
    by: string,
  ): Promise<{ before: DeviceRow; after: DeviceRow } | undefined> {
    const { rows } = await this.sql.query<DeviceRow>(`select ${COLUMNS} from devices where id = $1 for update`, [id]);
    const before = rows[0];
    if (!before) return undefined;
    const { rows: after } = await this.sql.query<DeviceRow>(
      `update devices set config = $2, config_updated_at = date_trunc('milliseconds', clock_timestamp()), config_updated_by = $3, config_published_at = null
       where id = $1 returning ${COLUMNS}`,
      [id, JSON.stringify(config), by],
    );
    return { before, after: after[0]! };
  }

  /** Marks the config updated at `updatedAt` (ms, as stored) as taken by the broker; a newer one stays unpublished. */
  async markConfigPublished(id: string, updatedAt: Date): Promise<void> {
    await this.sql.query('update devices set config_published_at = now() where id = $1 and config_updated_at = $2', [
      id,
      updatedAt,
    ]);
  }

  /** Every device's desired config, for republishing the retained messages at start. */
  async configs(): Promise<{ id: string; config: TrackerConfig; updatedAt: Date }[]> {
    const { rows } = await this.sql.query<{ id: string; config: TrackerConfig; updatedAt: Date }>(
      'select id, config, config_updated_at as "updatedAt" from devices where config is not null order by id',
    );
    return rows;
  }

  async get(id: string): Promise<DeviceRow | undefined> {
    const { rows } = await this.sql.query<DeviceRow>(`select ${COLUMNS} from devices where id = $1`, [id]);
    return rows[0];
  }

  async list(): Promise<DeviceRow[]> {
    const { rows } = await this.sql.query<DeviceRow>(`select ${COLUMNS} from devices order by id`);
    return rows;
  }

  /**
   * Applies a status message. Status is retained and may be replayed after a reconnect,
   * so an older message (by receipt time) never overwrites a newer one.
   */
  async applyStatus(id: string, s: { online: boolean; fw?: string; batteryPct?: number; at: Date }): Promise<void> {
    await this.sql.query(
      `update devices set online = $2, fw = coalesce($3, fw), battery_pct = coalesce($4, battery_pct), status_at = $5
       where id = $1 and (status_at is null or status_at <= $5)`,
      // Rounded to float4 here: PostgreSQL refuses, rather than rounds, a magnitude such as 1e-300.
      [id, s.online, s.fw ?? null, s.batteryPct === undefined ? null : Math.fround(s.batteryPct), s.at],
    );
  }
}

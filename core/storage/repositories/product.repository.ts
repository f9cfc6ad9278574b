import type { Sql } from '../sql.ts';

export interface ProductRow {
  sku: string;
  name: string;
  variant: string | null;
  unitCostCents: number;
  limited: boolean;
  inventoryOnHand: number;
  conditionProfile: Record<string, unknown> | null;
  needsTracker: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductFields {
  name: string;
  variant: string | null;
  unitCostCents: number;
  limited: boolean;
  inventoryOnHand: number;
  conditionProfile: Record<string, unknown> | null;
  needsTracker: boolean;
}

// unit_cost is numeric(12,2) in currency units (migration 004); the API speaks cents.
const COLUMNS = `sku, name, variant, round(unit_cost * 100)::bigint as "unitCostCents", limited,
  inventory_on_hand as "inventoryOnHand", condition_profile as "conditionProfile",
  needs_tracker as "needsTracker", created_at as "createdAt", updated_at as "updatedAt"`;

export class ProductRepository {
  constructor(private readonly sql: Sql) {}

  /** Inserts a product; undefined when the SKU exists. */
  async insert(sku: string, f: ProductFields, at: Date): Promise<ProductRow | undefined> {
    const { rows } = await this.sql.query<ProductRow>(
      `insert into products (sku, name, variant, unit_cost, limited, inventory_on_hand, condition_profile, needs_tracker, created_at, updated_at)
       values ($1, $2, $3, $4::numeric / 100, $5, $6, $7, $9, $8, $8) on conflict (sku) do nothing returning ${COLUMNS}`,
      [
        sku,
        f.name,
        f.variant,
        f.unitCostCents,
        f.limited,
        f.inventoryOnHand,
        jsonOrNull(f.conditionProfile),
        at,
        f.needsTracker,
      ],
    );
    return rows[0];
  }

  async get(sku: string, opts: { forUpdate?: boolean } = {}): Promise<ProductRow | undefined> {
    const lock = opts.forUpdate ? ' for update' : '';
    const { rows } = await this.sql.query<ProductRow>(`select ${COLUMNS} from products where sku = $1${lock}`, [sku]);
    return rows[0];
  }

  async list(filter: { limit: number; offset: number }): Promise<ProductRow[]> {
    const { rows } = await this.sql.query<ProductRow>(
      `select ${COLUMNS} from products order by sku limit $1 offset $2`,
      [filter.limit, filter.offset],
    );
    return rows;
  }

  async update(sku: string, f: ProductFields, at: Date): Promise<ProductRow | undefined> {
    const { rows } = await this.sql.query<ProductRow>(
      `update products set name = $2, variant = $3, unit_cost = $4::numeric / 100, limited = $5, inventory_on_hand = $6,
         condition_profile = $7, needs_tracker = $9, updated_at = $8 where sku = $1 returning ${COLUMNS}`,
      [
        sku,
        f.name,
        f.variant,
        f.unitCostCents,
        f.limited,
        f.inventoryOnHand,
        jsonOrNull(f.conditionProfile),
        at,
        f.needsTracker,
      ],
    );
    return rows[0];
  }

  /** Reserves stock for an approved send; false when fewer than `quantity` are on hand. */
  async reserve(sku: string, quantity: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `update products set inventory_on_hand = inventory_on_hand - $2, updated_at = now()
       where sku = $1 and inventory_on_hand >= $2`,
      [sku, quantity],
    );
    return rowCount === 1;
  }

  /** Puts reserved stock back (a cancelled send). */
  async release(sku: string, quantity: number): Promise<void> {
    await this.sql.query(
      'update products set inventory_on_hand = inventory_on_hand + $2, updated_at = now() where sku = $1',
      [sku, quantity],
    );
  }
}

const jsonOrNull = (v: unknown) => (v == null ? null : JSON.stringify(v));

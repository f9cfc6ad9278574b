import type { AuditActor } from '../domain/auth/principal.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { ProductRepository, type ProductFields, type ProductRow } from '../storage/repositories/product.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

/** The catalogue. Every change commits with its audit row. */
export class ProductService {
  private readonly products: ProductRepository;

  private readonly pool: Pool;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.products = new ProductRepository(pool);
    this.pool = pool;
    this.now = now;
  }

  async create(sku: string, fields: ProductFields, by: AuditActor): Promise<ProductRow> {
    return withTransaction(this.pool, async (tx) => {
      const row = await new ProductRepository(tx).insert(sku, fields, this.now());
      if (!row) throw new DomainError('ALREADY_EXISTS', `product ${sku} exists`, { sku });
      await new AuditRepository(tx).record(by, {
        action: 'product.create',
        entityType: 'product',
        entityId: sku,
        detail: { after: row },
      });
      return row;
    });
  }

  async get(sku: string): Promise<ProductRow> {
    const row = await this.products.get(sku);
    if (!row) throw notFound('product', sku);
    return row;
  }

  list(filter: { limit: number; offset: number }): Promise<ProductRow[]> {
    return this.products.list(filter);
  }

  async update(sku: string, patch: Partial<ProductFields>, by: AuditActor): Promise<ProductRow> {
    return withTransaction(this.pool, async (tx) => {
      const products = new ProductRepository(tx);
      const current = await products.get(sku, { forUpdate: true });
      if (!current) throw notFound('product', sku);
      const row = await products.update(sku, { ...current, ...patch }, this.now());
      if (!row) throw notFound('product', sku);
      const keys = Object.keys(patch) as (keyof ProductRow)[];
      await new AuditRepository(tx).record(by, {
        action: 'product.update',
        entityType: 'product',
        entityId: sku,
        detail: {
          before: Object.fromEntries(keys.map((k) => [k, current[k]])),
          after: Object.fromEntries(keys.map((k) => [k, row[k]])),
        },
      });
      return row;
    });
  }
}

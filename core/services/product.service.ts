import { DomainError, notFound } from '../domain/errors.ts';
import { ProductRepository, type ProductFields, type ProductRow } from '../storage/repositories/product.repository.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export class ProductService {
  private readonly products: ProductRepository;
  private readonly now: () => Date;

  constructor({ pool, now = wallClock }: ServiceDeps) {
    this.products = new ProductRepository(pool);
    this.now = now;
  }

  async create(sku: string, fields: ProductFields): Promise<ProductRow> {
    const row = await this.products.insert(sku, fields, this.now());
    if (!row) throw new DomainError('ALREADY_EXISTS', `product ${sku} exists`, { sku });
    return row;
  }

  async get(sku: string): Promise<ProductRow> {
    const row = await this.products.get(sku);
    if (!row) throw notFound('product', sku);
    return row;
  }

  list(filter: { limit: number; offset: number }): Promise<ProductRow[]> {
    return this.products.list(filter);
  }

  async update(sku: string, patch: Partial<ProductFields>): Promise<ProductRow> {
    const current = await this.get(sku);
    const row = await this.products.update(sku, { ...current, ...patch }, this.now());
    if (!row) throw notFound('product', sku);
    return row;
  }
}

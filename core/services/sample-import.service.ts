import type { AuditActor } from '../domain/auth/principal.ts';
import { z } from 'zod';
import { parseCsv } from '../domain/csv.ts';
import { DomainError } from '../domain/errors.ts';
import { REQUEST_SOURCES } from '../domain/sample/sample-state.ts';
import type { Pool } from '../storage/database.ts';
import { inRolledBackTransaction, withTransaction } from '../storage/transaction.ts';
import type { Sql } from '../storage/sql.ts';
import { previewIds, type SampleLifecycleService, type SampleRequestInput } from './sample-lifecycle.service.ts';
import type { ServiceDeps } from './deps.ts';

export const IMPORT_COLUMNS = ['creator', 'sku', 'campaign', 'source', 'variant', 'quantity'] as const;
const REQUIRED = ['creator', 'sku', 'campaign', 'source'] as const;
/** Columns that would name who acts: the importer (the signed-in principal) is the requester. */
const IDENTITY_COLUMNS = ['requested_by', 'requester', 'approved_by', 'actor'] as const;
export const MAX_IMPORT_ROWS = 5000;

const text = (max: number) => z.string().trim().min(1).max(max);
const Row = z.object({
  creator: text(200),
  sku: text(100),
  campaign: text(200),
  source: z.enum(REQUEST_SOURCES),
  variant: z
    .string()
    .trim()
    .max(100)
    .transform((v) => v || undefined)
    .optional(),
  quantity: z
    .string()
    .trim()
    .transform((v) => Number(v || '1'))
    .pipe(z.number().int().min(1).max(100))
    .optional(),
});

export interface ImportedRow {
  line: number;
  sampleId: string;
  status: string;
  decision: string;
  rule: string;
}

export interface RefusedRow {
  line: number;
  errors: string[];
}

/**
 * Bulk entry of sample requests from CSV. All or nothing: every row is checked first
 * (shape, creator and SKU exist); one bad row refuses the whole file with a report of
 * every bad row (VALIDATION_FAILED, details.refusedRows) and nothing is created. A clean
 * file is created in one transaction, each row through the approval policy in file order;
 * a request the policy rejects is created as rejected (it is a decision, not a bad row).
 */
export class SampleImportService {
  private readonly pool: Pool;
  private readonly lifecycle: SampleLifecycleService;

  constructor({ pool, lifecycle }: ServiceDeps & { lifecycle: SampleLifecycleService }) {
    this.pool = pool;
    this.lifecycle = lifecycle;
  }

  /**
   * Imports the file, requested by `by`. With `preview`, the same run happens in a
   * transaction that is rolled back: the report shows each row's decision and nothing is
   * written (no sample, no stock reserved, no sample number used).
   */
  async import(
    csv: string,
    by: AuditActor,
    opts: { preview?: boolean } = {},
  ): Promise<{ created: number; preview: boolean; rows: ImportedRow[] }> {
    const requestedBy = by.person?.email ?? by.label;
    const requests = (await this.validate(csv)).map((r) => ({ ...r, input: { ...r.input, requestedBy } }));
    const ids = opts.preview ? previewIds() : undefined;
    const run = async (tx: Sql) => {
      const rows: ImportedRow[] = [];
      for (const { line, input } of requests) {
        try {
          const { sample, decision } = await this.lifecycle.requestWithin(
            tx,
            input,
            by,
            ids ? { previewIds: ids } : {},
          );
          rows.push({
            line,
            sampleId: sample.id,
            status: sample.status,
            decision: decision.decision,
            rule: decision.rule,
          });
        } catch (err) {
          // Changed since validation (a concurrent edit): the file is refused as a whole.
          if (err instanceof DomainError) throw refused([{ line, errors: [err.message] }], requests.length);
          throw err;
        }
      }
      return { created: opts.preview ? 0 : rows.length, preview: opts.preview === true, rows };
    };
    return opts.preview ? inRolledBackTransaction(this.pool, run) : withTransaction(this.pool, run);
  }

  private async validate(csv: string): Promise<{ line: number; input: SampleRequestInput }[]> {
    const [head, ...records] = parseCsv(csv);
    const header = head?.fields.map((f) => f.trim().toLowerCase()) ?? [];
    const identity = IDENTITY_COLUMNS.filter((c) => header.includes(c));
    if (identity.length) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `CSV column ${identity.join(', ')} is not accepted: the signed-in person importing the file is the requester`,
        { expected: IMPORT_COLUMNS, identityColumns: identity, refusedRows: [] },
      );
    }
    const missing = REQUIRED.filter((c) => !header.includes(c));
    if (missing.length) {
      throw new DomainError('VALIDATION_FAILED', `CSV header lacks: ${missing.join(', ')}`, {
        expected: IMPORT_COLUMNS,
        missing,
        refusedRows: [],
      });
    }
    if (records.length === 0) throw new DomainError('VALIDATION_FAILED', 'CSV has no rows', { refusedRows: [] });
    if (records.length > MAX_IMPORT_ROWS) {
      throw new DomainError('VALIDATION_FAILED', `CSV has ${records.length} rows; at most ${MAX_IMPORT_ROWS}`, {
        refusedRows: [],
      });
    }

    const bad: RefusedRow[] = [];
    const good: { line: number; input: SampleRequestInput }[] = [];
    for (const { line, fields } of records) {
      if (fields.length !== header.length) {
        bad.push({ line, errors: [`${fields.length} fields, header has ${header.length}`] });
        continue;
      }
      const parsed = Row.safeParse(Object.fromEntries(header.map((h, i) => [h, fields[i]])));
      if (!parsed.success) {
        bad.push({ line, errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
        continue;
      }
      const r = parsed.data;
      good.push({
        line,
        input: {
          creator: r.creator,
          sku: r.sku,
          campaign: r.campaign,
          source: r.source,
          requestedBy: '',
          quantity: r.quantity ?? 1,
          ...(r.variant ? { variant: r.variant } : {}),
        },
      });
    }
    bad.push(...(await this.unknownReferences(good)));
    if (bad.length)
      throw refused(
        bad.sort((a, b) => a.line - b.line),
        records.length,
      );
    return good;
  }

  /** Rows naming a creator or SKU the platform does not know. */
  private async unknownReferences(rows: { line: number; input: SampleRequestInput }[]): Promise<RefusedRow[]> {
    const creators = [...new Set(rows.map((r) => r.input.creator))];
    const skus = [...new Set(rows.map((r) => r.input.sku))];
    const [knownCreators, knownSkus] = await Promise.all([
      this.pool.query<{ ref: string }>(
        `select ref from unnest($1::text[]) ref where exists (select 1 from creators c
           where c.id = ref or lower(c.handle) = lower(ref) or lower(ref) = any(select lower(h) from unnest(c.other_handles) h))`,
        [creators],
      ),
      this.pool.query<{ sku: string }>('select sku from products where sku = any($1)', [skus]),
    ]);
    const creatorSet = new Set(knownCreators.rows.map((r) => r.ref));
    const skuSet = new Set(knownSkus.rows.map((r) => r.sku));
    return rows.flatMap(({ line, input }) => {
      const errors = [
        ...(creatorSet.has(input.creator) ? [] : [`creator: ${input.creator} does not exist`]),
        ...(skuSet.has(input.sku) ? [] : [`sku: ${input.sku} does not exist`]),
      ];
      return errors.length ? [{ line, errors }] : [];
    });
  }
}

function refused(rows: RefusedRow[], total: number): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    `${rows.length} of ${total} rows refused; nothing was imported (fix them and send the file again)`,
    { refusedRows: rows },
  );
}

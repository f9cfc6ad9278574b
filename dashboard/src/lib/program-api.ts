import type { paths } from './api/schema';
import { ApiError, http, type Me, type Schemas } from './api';
import type { Creator } from './ops-api';

/**
 * The pages that run the programme: creators' records and imports, the catalogue, new
 * requests and the approvals queue. Bodies and answers are the generated wire types; the
 * actor is never sent: the server records the signed-in person.
 */

type Fetch = typeof fetch;
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type NewCreator = JsonBody<'/api/creators', 'post'>;
export type CreatorPatch = JsonBody<'/api/creators/{id}', 'patch'>;
export type CatalogueProduct = Schemas['Product'];
export type NewProduct = JsonBody<'/api/products', 'post'>;
export type ProductPatch = JsonBody<'/api/products/{sku}', 'patch'>;
export type SampleRequest = JsonBody<'/api/sample-requests', 'post'>;
export type RequestPreview = Schemas['SampleRequestPreview'];
export type RequestResult = Schemas['SampleRequestResult'];
export type CreatorImportReport = Schemas['CreatorImportReport'];
export type SampleImportReport = paths['/api/samples/import']['post']['responses'][200]['content']['application/json'];
export type PendingApproval = Schemas['PendingApproval'];
export type ApprovalQueue = paths['/api/approvals']['get']['responses'][200]['content']['application/json'];
export type MergeResult = paths['/api/creators/{id}/merge']['post']['responses'][200]['content']['application/json'];
export type Source = SampleRequest['source'];

export const SOURCES: readonly Source[] = ['form', 'dm', 'email', 'tiktok_affiliate', 'invitation'];

/** Roles the API lets change creators, products and requests (OPS on the server). */
export const mayRunProgram = (me: Pick<Me, 'role'>): boolean => me.role === 'admin' || me.role === 'ops';

/** One CSV row as an import preview shows it: its line, what it does, and what is wrong. */
export interface ImportRow {
  line: number;
  /** What the row would do, in words (create @x, update: fields, approved by policy …). */
  outcome: string;
  errors: string[];
}

const enc = encodeURIComponent;
const PAGE = 1000;

export const programApi = {
  createCreator(body: NewCreator): Promise<Creator> {
    return http.post('/api/creators', body);
  },
  updateCreator(id: string, patch: CreatorPatch): Promise<Creator> {
    return http.patch(`/api/creators/${enc(id)}`, patch);
  },
  mergeCreator(id: string, duplicateId: string): Promise<MergeResult> {
    return http.post(`/api/creators/${enc(id)}/merge`, { duplicateId });
  },
  importCreators(csv: string, preview: boolean): Promise<CreatorImportReport> {
    return http.postCsv(`/api/creators/import${preview ? '?preview=true' : ''}`, csv);
  },

  async listProducts(fetchFn: Fetch): Promise<CatalogueProduct[]> {
    const out: CatalogueProduct[] = [];
    for (let offset = 0; offset < 10 * PAGE; offset += PAGE) {
      const page = (
        await http.get<{ products: CatalogueProduct[] }>(fetchFn, `/api/products?limit=${PAGE}&offset=${offset}`)
      ).products;
      out.push(...page);
      if (page.length < PAGE) break;
    }
    return out;
  },
  createProduct(body: NewProduct): Promise<CatalogueProduct> {
    return http.post('/api/products', body);
  },
  updateProduct(sku: string, patch: ProductPatch): Promise<CatalogueProduct> {
    return http.patch(`/api/products/${enc(sku)}`, patch);
  },

  previewRequest(body: SampleRequest): Promise<RequestPreview> {
    return http.post('/api/sample-requests/preview', body);
  },
  request(body: SampleRequest): Promise<RequestResult> {
    return http.post('/api/sample-requests', body);
  },
  importSamples(csv: string, preview: boolean): Promise<SampleImportReport> {
    return http.postCsv(`/api/samples/import${preview ? '?preview=true' : ''}`, csv);
  },

  approvals(fetchFn: Fetch): Promise<ApprovalQueue> {
    return http.get(fetchFn, '/api/approvals?limit=500');
  },
  /** Approves or rejects as the signed-in person; the server checks their authority. */
  decide(sampleId: string, type: 'approve' | 'reject', reason?: string): Promise<unknown> {
    return http.post(`/api/samples/${enc(sampleId)}/events`, { type, ...(reason ? { reason } : {}) });
  },
};

/** A creator import's report as preview rows. */
export function creatorImportRows(report: CreatorImportReport): ImportRow[] {
  return report.rows.map((r) => ({
    line: r.line,
    errors: r.errors,
    outcome: !r.action
      ? `${r.handle ?? ''}`.trim()
      : r.action === 'create'
        ? `create ${r.handle}`
        : `update ${r.handle}${r.changes.length ? `: ${r.changes.join(', ')}` : ' (no change)'}`,
  }));
}

/**
 * A sample import's preview as rows. A file with a bad row is refused whole (400,
 * details.refusedRows); those rows are the preview then.
 */
export function sampleImportRows(result: SampleImportReport | ApiError): ImportRow[] {
  if (result instanceof ApiError) {
    const refused = (result.details as { refusedRows?: { line: number; errors: string[] }[] } | undefined)?.refusedRows;
    if (!refused?.length) throw result;
    return refused.map((r) => ({ line: r.line, outcome: '', errors: r.errors }));
  }
  return result.rows.map((r) => ({ line: r.line, errors: [], outcome: `${r.decision} (${r.rule})` }));
}

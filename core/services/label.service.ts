import { DomainError, notFound } from '../domain/errors.ts';
import { code128Svg } from '../domain/label/code128.ts';
import {
  labelSheetHtml,
  labelSvg,
  labelTarget,
  qrPng,
  SHEET_LAYOUTS,
  type LabelContent,
  type LabelFacts,
  type SheetLayoutName,
} from '../domain/label/label.ts';
import { SampleRepository, type SampleRow } from '../storage/repositories/sample.repository.ts';
import type { ServiceDeps } from './deps.ts';

/** Most labels in one sheet request: ten A4 sheets. */
export const MAX_LABELS = 240;

export interface LabelSelection {
  ids?: string[];
  status?: string;
  creator?: string;
  campaign?: string;
}

const factsOf = (s: SampleRow): LabelFacts => ({
  id: s.id,
  creator: s.creator,
  sku: s.sku,
  variant: s.variant,
  campaign: s.campaign,
});

/** Printable labels of samples (core/domain/label/label.ts); the QR code links to `${publicUrl}/samples/<id>`. */
export class LabelService {
  private readonly samples: SampleRepository;
  private readonly publicUrl: string;

  constructor({ pool, publicUrl }: ServiceDeps & { publicUrl: string }) {
    this.samples = new SampleRepository(pool);
    this.publicUrl = publicUrl;
  }

  private async sample(id: string): Promise<SampleRow> {
    const s = await this.samples.get(id);
    if (!s) throw notFound('sample', id);
    return s;
  }

  async svg(id: string, o: { content: LabelContent; layout: SheetLayoutName }): Promise<string> {
    const s = await this.sample(id);
    return labelSvg(factsOf(s), labelTarget(this.publicUrl, s.id, o.content), SHEET_LAYOUTS[o.layout].labelMm);
  }

  /** Code 128 B of the bare id, for linear scanners. */
  async barcodeSvg(id: string): Promise<string> {
    return code128Svg((await this.sample(id)).id);
  }

  async png(id: string, o: { content: LabelContent; scale: number }): Promise<Buffer> {
    const s = await this.sample(id);
    return qrPng(labelTarget(this.publicUrl, s.id, o.content), o.scale);
  }

  /**
   * A print-ready HTML sheet. With ids: exactly those, in the order given (an unknown id is
   * NOT_FOUND naming every missing one); otherwise the samples matching the filter, oldest
   * first, at most MAX_LABELS (more is refused, not cut silently).
   */
  async sheet(
    sel: LabelSelection,
    o: { content: LabelContent; layout: SheetLayoutName; skip: number },
  ): Promise<string> {
    let rows: SampleRow[];
    if (sel.ids) {
      const ids = [...new Set(sel.ids)];
      const found = new Map((await this.samples.listForLabels({ ids, limit: ids.length })).map((s) => [s.id, s]));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw new DomainError('NOT_FOUND', `no sample ${missing.join(', ')}`, { missing });
      rows = ids.map((id) => found.get(id)!);
    } else {
      rows = await this.samples.listForLabels({ ...sel, limit: MAX_LABELS + 1 });
      if (rows.length > MAX_LABELS) {
        throw new DomainError(
          'VALIDATION_FAILED',
          `more than ${MAX_LABELS} samples match; narrow the filter or print by ids`,
          { max: MAX_LABELS },
        );
      }
    }
    return labelSheetHtml(
      rows.map((s) => ({ facts: factsOf(s), target: labelTarget(this.publicUrl, s.id, o.content) })),
      o.layout,
      o.skip,
    );
  }
}

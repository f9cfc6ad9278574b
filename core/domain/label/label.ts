import QRCode from 'qrcode';

/**
 * Printable sample labels. The QR code encodes the sample's dashboard URL
 * (`${PUBLIC_URL}/samples/<id>`): a phone camera opens the sample page, and a handheld
 * scanner still yields the id as the last path segment. `content: 'id'` encodes the bare id
 * instead (for systems that key on it). Encoding (segments, Reed-Solomon, masking) is the
 * `qrcode` library's; drawing the modules is ours, so a label is one self-contained SVG.
 */

export type LabelContent = 'url' | 'id';

export interface LabelFacts {
  id: string;
  creator: string;
  sku: string;
  variant: string | null;
  campaign: string | null;
}

/** Label stock: page, label size, offsets and gaps in mm (the label maker's template). */
export interface SheetLayout {
  name: string;
  page: { size: string; widthMm: number; heightMm: number };
  columns: number;
  rows: number;
  labelMm: { width: number; height: number };
  marginMm: { top: number; left: number };
  gapMm: { column: number; row: number };
}

export const SHEET_LAYOUTS = {
  // 24 per A4 sheet, 70 × 37 mm, edge to edge (e.g. Avery 3474, Herma 4453).
  'a4-3x8': {
    name: 'A4, 3 × 8 labels of 70 × 37 mm',
    page: { size: 'A4', widthMm: 210, heightMm: 297 },
    columns: 3,
    rows: 8,
    labelMm: { width: 70, height: 37 },
    marginMm: { top: 0.5, left: 0 },
    gapMm: { column: 0, row: 0 },
  },
  // 30 per US Letter sheet, 2⅝ × 1 in (Avery 5160).
  'letter-3x10': {
    name: 'US Letter, 3 × 10 labels of 2⅝ × 1 in',
    page: { size: 'letter', widthMm: 215.9, heightMm: 279.4 },
    columns: 3,
    rows: 10,
    labelMm: { width: 66.675, height: 25.4 },
    marginMm: { top: 12.7, left: 4.7625 },
    gapMm: { column: 3.175, row: 0 },
  },
} as const satisfies Record<string, SheetLayout>;
export type SheetLayoutName = keyof typeof SHEET_LAYOUTS;
export const SHEET_LAYOUT_NAMES = Object.keys(SHEET_LAYOUTS) as [SheetLayoutName, ...SheetLayoutName[]];

/** Modules of quiet zone around the code (the QR standard asks for 4). */
const QUIET = 4;

export function labelTarget(publicUrl: string, id: string, content: LabelContent): string {
  return content === 'id' ? id : `${publicUrl.replace(/\/+$/, '')}/samples/${encodeURIComponent(id)}`;
}

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  dark(row: number, col: number): boolean;
}

/** Error correction M (15 %): larger modules than Q for the same text, which small labels need more. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (r, c) => modules.get(r, c) === 1 };
}

/** An SVG path of the dark modules, one unit per module, offset by the quiet zone. */
export function qrPath(m: QrMatrix): string {
  const parts: string[] = [];
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      if (!m.dark(r, c)) continue;
      let run = 1;
      while (c + run < m.size && m.dark(r, c + run)) run++;
      parts.push(`M${c + QUIET} ${r + QUIET}h${run}v1h-${run}z`);
      c += run - 1;
    }
  }
  return parts.join('');
}

/** The QR code as PNG: (size + 8) × scale pixels square, black on white. */
export function qrPng(text: string, scale: number): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: QUIET, scale });
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Cuts text to what fits in `widthMm` at `fontMm` (estimate: 0.56 em per character, a wide Helvetica average). */
function fit(text: string, widthMm: number, fontMm: number): string {
  const max = Math.max(4, Math.floor(widthMm / (0.56 * fontMm)));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const mm = (n: number) => Number(n.toFixed(3));

/**
 * One label as SVG in millimetres: the QR code (with its quiet zone) on the left, the sample
 * id, creator, SKU (and variant) and campaign on the right. Text is escaped: handles and
 * campaigns are user input.
 */
export function labelSvg(
  facts: LabelFacts,
  target: string,
  size: { width: number; height: number } = SHEET_LAYOUTS['a4-3x8'].labelMm,
): string {
  const m = qrMatrix(target);
  const pad = Math.min(2, size.height * 0.06);
  const qr = size.height - 2 * pad;
  const textX = pad + qr + pad;
  const textW = size.width - textX - pad;
  const big = Math.min(4, size.height / 7.5);
  const small = big * 0.78;
  const lines: { text: string; font: number; bold?: boolean }[] = [
    // The id is never cut: it shrinks to fit instead.
    { text: facts.id, font: Math.min(big, textW / (0.6 * facts.id.length)), bold: true },
    { text: facts.creator, font: small },
    { text: facts.variant ? `${facts.sku} · ${facts.variant}` : facts.sku, font: small },
    ...(facts.campaign ? [{ text: facts.campaign, font: small }] : []),
  ];
  // The text block is centred beside the code.
  const blockHeight = lines.reduce((h, l, i) => h + (i === 0 ? big : l.font * 1.45), 0);
  let y = pad + Math.max(0, (qr - blockHeight) / 2) + big;
  const text = lines
    .map((l, i) => {
      if (i > 0) y += l.font * 1.45;
      return `<text x="${mm(textX)}" y="${mm(y)}" font-size="${mm(l.font)}"${l.bold ? ' font-weight="700"' : ''}>${escapeXml(fit(l.text, textW, l.font))}</text>`;
    })
    .join('');
  const n = m.size + 2 * QUIET;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${mm(size.width)}mm" height="${mm(size.height)}mm" viewBox="0 0 ${mm(size.width)} ${mm(size.height)}">` +
    `<title>${escapeXml(facts.id)}</title>` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<svg x="${mm(pad)}" y="${mm(pad)}" width="${mm(qr)}" height="${mm(qr)}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges">` +
    `<path fill="#000" d="${qrPath(m)}"/></svg>` +
    `<g font-family="Helvetica, Arial, sans-serif" fill="#000">${text}</g></svg>`
  );
}

/**
 * A print-ready HTML page: the labels in a grid matching the stock's template, one `.sheet`
 * per page, `skip` cells left blank at the start (a part-used sheet). @page sets the paper
 * and zero margins; on screen the sheets are shown as paper with a note on print settings.
 */
export function labelSheetHtml(
  labels: { facts: LabelFacts; target: string }[],
  layoutName: SheetLayoutName,
  skip = 0,
): string {
  const l: SheetLayout = SHEET_LAYOUTS[layoutName];
  const perSheet = l.columns * l.rows;
  const cells: (string | null)[] = [
    ...Array<null>(skip % perSheet).fill(null),
    ...labels.map((x) => labelSvg(x.facts, x.target, l.labelMm)),
  ];
  const sheets: string[] = [];
  for (let i = 0; i < cells.length; i += perSheet) {
    const cellHtml = cells
      .slice(i, i + perSheet)
      .map((c) => `<div class="label">${c ?? ''}</div>`)
      .join('\n');
    sheets.push(`<section class="sheet">\n${cellHtml}\n</section>`);
  }
  const title = `${labels.length} sample label${labels.length === 1 ? '' : 's'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
@page { size: ${l.page.size}; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Helvetica, Arial, sans-serif; }
.sheet { width: ${l.page.widthMm}mm; height: ${l.page.heightMm}mm; padding: ${l.marginMm.top}mm 0 0 ${l.marginMm.left}mm; overflow: hidden;
  display: grid; grid-template-columns: repeat(${l.columns}, ${l.labelMm.width}mm); grid-auto-rows: ${l.labelMm.height}mm;
  column-gap: ${l.gapMm.column}mm; row-gap: ${l.gapMm.row}mm; break-after: page; page-break-after: always; }
.sheet:last-of-type { break-after: auto; page-break-after: auto; }
.label { overflow: hidden; }
.label svg { display: block; width: 100%; height: 100%; }
@media screen {
  body { background: #e5e5e5; padding: 8mm 0; }
  .sheet { background: #fff; margin: 0 auto 8mm; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
  .label { outline: 1px dashed #ccc; outline-offset: -1px; }
  .note { max-width: ${l.page.widthMm}mm; margin: 0 auto 6mm; font-size: 14px; }
}
@media print { .note { display: none; } }
</style></head>
<body>
<p class="note"><strong>${escapeXml(title)}</strong> on ${escapeXml(l.name)}${skip ? `, first ${skip % perSheet} skipped` : ''}.
Print at 100 % scale (no "fit to page"), margins none, headers and footers off.</p>
${sheets.join('\n')}
</body></html>
`;
}

/**
 * Code 128, code set B (printable ASCII), for linear barcode scanners that cannot read a QR
 * code. Set B only: a sample id is short and mixed letters and digits, so set C's digit
 * pairs would save a few modules at the cost of a mode-switching encoder.
 */

/** Bar/space widths (bar first, in modules) of the symbol values 0–105; each sums to 11. */
const PATTERNS = [
  '212222',
  '222122',
  '222221',
  '121223',
  '121322',
  '131222',
  '122213',
  '122312',
  '132212',
  '221213',
  '221312',
  '231212',
  '112232',
  '122132',
  '122231',
  '113222',
  '123122',
  '123221',
  '223211',
  '221132',
  '221231',
  '213212',
  '223112',
  '312131',
  '311222',
  '321122',
  '321221',
  '312212',
  '322112',
  '322211',
  '212123',
  '212321',
  '232121',
  '111323',
  '131123',
  '131321',
  '112313',
  '132113',
  '132311',
  '211313',
  '231113',
  '231311',
  '112133',
  '112331',
  '132131',
  '113123',
  '113321',
  '133121',
  '313121',
  '211331',
  '231131',
  '213113',
  '213311',
  '213131',
  '311123',
  '311321',
  '331121',
  '312113',
  '312311',
  '332111',
  '314111',
  '221411',
  '431111',
  '111224',
  '111422',
  '121124',
  '121421',
  '141122',
  '141221',
  '112214',
  '112412',
  '122114',
  '122411',
  '142112',
  '142211',
  '241211',
  '221114',
  '413111',
  '241112',
  '134111',
  '111242',
  '121142',
  '121241',
  '114212',
  '124112',
  '124211',
  '411212',
  '421112',
  '421211',
  '212141',
  '214121',
  '412121',
  '111143',
  '111341',
  '131141',
  '114113',
  '114311',
  '411113',
  '411311',
  '113141',
  '114131',
  '311141',
  '411131',
  '211412',
  '211214',
  '211232',
] as const;
const START_B = 104;
/** The stop pattern with its final 2-module bar: 13 modules. */
const STOP = '2331112';
/** Quiet zone each side, in modules (the standard asks for 10). */
export const CODE128_QUIET = 10;

export const CODE128_PATTERNS: readonly string[] = PATTERNS;

function widthsToBits(widths: string): string {
  let bits = '';
  for (let i = 0; i < widths.length; i++) bits += (i % 2 === 0 ? '1' : '0').repeat(Number(widths[i]));
  return bits;
}

/** The modules of `text` in Code 128 B ('1' bar, '0' space), without quiet zones; throws outside ASCII 32–126. */
export function code128Bits(text: string): string {
  const values = [...text].map((ch) => {
    const code = ch.charCodeAt(0);
    if (code < 32 || code > 126) throw new RangeError(`Code 128 B cannot encode ${JSON.stringify(ch)}`);
    return code - 32;
  });
  return code128Symbols(START_B, values);
}

/** Start symbol, symbol values, the mod-103 checksum and stop, as modules. */
export function code128Symbols(start: number, values: readonly number[]): string {
  const checksum = values.reduce((sum, v, i) => sum + v * (i + 1), start) % 103;
  return [start, ...values, checksum].map((v) => widthsToBits(PATTERNS[v]!)).join('') + widthsToBits(STOP);
}

/** A Code 128 B barcode as SVG: bars `moduleMm` wide, the text below them in human-readable form. */
export function code128Svg(text: string, o: { moduleMm?: number; barHeightMm?: number } = {}): string {
  const bits = code128Bits(text);
  const mod = o.moduleMm ?? 0.33;
  const barH = o.barHeightMm ?? 12;
  const fontMm = 3;
  const width = (bits.length + 2 * CODE128_QUIET) * mod;
  const height = barH + fontMm + 2;
  const runs: string[] = [];
  for (let i = 0; i < bits.length;) {
    let j = i;
    while (j < bits.length && bits[j] === bits[i]) j++;
    if (bits[i] === '1') runs.push(`M${i + CODE128_QUIET} 0h${j - i}v1h-${j - i}z`);
    i = j;
  }
  const r = (n: number) => Number(n.toFixed(3));
  const escaped = text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}mm" height="${r(height)}mm" viewBox="0 0 ${r(width)} ${r(height)}">` +
    `<title>${escaped}</title><rect width="100%" height="100%" fill="#fff"/>` +
    `<svg x="0" y="1" width="${r(width)}" height="${r(barH)}" viewBox="0 0 ${bits.length + 2 * CODE128_QUIET} 1" preserveAspectRatio="none" shape-rendering="crispEdges">` +
    `<path fill="#000" d="${runs.join('')}"/></svg>` +
    `<text x="${r(width / 2)}" y="${r(barH + 1 + fontMm)}" font-size="${fontMm}" text-anchor="middle" font-family="Helvetica, Arial, sans-serif">${escaped}</text></svg>`
  );
}

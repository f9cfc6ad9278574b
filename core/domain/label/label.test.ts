import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  labelSheetHtml,
  labelSvg,
  labelTarget,
  qrMatrix,
  qrPath,
  qrPng,
  SHEET_LAYOUTS,
  type LabelFacts,
} from './label.ts';

// CommonJS with `exports.default`: Node hands over the exports object, vitest's interop the function.
type Decode = typeof jsqrModule.default;
const jsQR: Decode = typeof jsqrModule === 'function' ? (jsqrModule as unknown as Decode) : jsqrModule.default;

const URL_TARGET = 'https://ops.example.com/samples/SMP-26-000123';
const facts: LabelFacts = {
  id: 'SMP-26-000123',
  creator: '@glowwithmia',
  sku: 'SERUM-30',
  variant: 'rose',
  campaign: 'spring launch',
};

/** Rasterises the `M x y h n v1 h-n z` runs of qrPath into RGBA, `px` pixels per module. */
function rasterise(path: string, modules: number, px: number): { data: Uint8ClampedArray; width: number } {
  const width = modules * px;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, run] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let dy = 0; dy < px; dy++) {
      for (let dx = 0; dx < Number(run) * px; dx++) {
        const i = ((Number(y) * px + dy) * width + Number(x) * px + dx) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return { data, width };
}

describe('label content', () => {
  it('encodes the dashboard URL of the sample, or the bare id', () => {
    expect(labelTarget('https://ops.example.com/', 'SMP-26-000123', 'url')).toBe(URL_TARGET);
    expect(labelTarget('https://ops.example.com', 'SMP-26-000123', 'id')).toBe('SMP-26-000123');
  });
});

describe('QR code', () => {
  it('the SVG path decodes back to the encoded text', () => {
    for (const text of [URL_TARGET, 'SMP-26-000123']) {
      const m = qrMatrix(text);
      const { data, width } = rasterise(qrPath(m), m.size + 8, 6);
      expect(jsQR(data, width, width)?.data).toBe(text);
    }
  });

  it('the path draws exactly the dark modules of the matrix', () => {
    const m = qrMatrix(URL_TARGET);
    const { data, width } = rasterise(qrPath(m), m.size + 8, 1);
    let mismatches = 0;
    for (let r = 0; r < m.size + 8; r++) {
      for (let c = 0; c < m.size + 8; c++) {
        const inCode = r >= 4 && c >= 4 && r < m.size + 4 && c < m.size + 4;
        const dark = inCode && m.dark(r - 4, c - 4);
        if ((data[(r * width + c) * 4] === 0) !== dark) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    // Version 3 (29 modules) at error correction M holds this 45-byte URL: 0.8 mm modules on a 37 mm label.
    expect(m.size).toBe(29);
  });

  it('the PNG is a PNG of (size + 8) × scale pixels that decodes to the text', async () => {
    const png = await qrPng(URL_TARGET, 5);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const side = (qrMatrix(URL_TARGET).size + 8) * 5;
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([side, side]);
    const image = PNG.sync.read(png);
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(URL_TARGET);
  });
});

describe('label SVG and sheet', () => {
  it('a label names the sample, creator, SKU · variant and campaign, sized in mm, text escaped', () => {
    const svg = labelSvg({ ...facts, creator: '<script>alert(1)</script>' }, URL_TARGET);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="70mm" height="37mm"/);
    expect(svg).toContain('>SMP-26-000123</text>');
    expect(svg).toContain('>SERUM-30 · rose</text>');
    expect(svg).toContain('>spring launch</text>');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain(qrPath(qrMatrix(URL_TARGET)));
  });

  it('lays labels out one grid per page, skipping used cells on the first sheet', () => {
    const labels = Array.from({ length: 25 }, (_, i) => ({
      facts: { ...facts, id: `SMP-26-${String(i).padStart(6, '0')}` },
      target: 'x',
    }));
    const a4 = labelSheetHtml(labels, 'a4-3x8', 2);
    expect(a4.match(/<section class="sheet">/g)).toHaveLength(2);
    expect(a4.match(/<div class="label">/g)).toHaveLength(27);
    expect(a4.match(/<div class="label"><\/div>/g)).toHaveLength(2);
    expect(a4).toContain('@page { size: A4; margin: 0; }');
    expect(a4).toContain('grid-template-columns: repeat(3, 70mm)');
    const letter = labelSheetHtml(labels, 'letter-3x10');
    expect(letter.match(/<section class="sheet">/g)).toHaveLength(1);
    expect(letter).toContain(`width="${SHEET_LAYOUTS['letter-3x10'].labelMm.width}mm"`);
  });
});

import { describe, expect, it } from 'vitest';
import { CODE128_PATTERNS, code128Bits, code128Svg, code128Symbols } from './code128.ts';

/** Reads the bits back with the inverse of the table: start, data, checksum, stop. */
function decode(bits: string): { start: number; text: string; checksumOk: boolean } {
  const patterns = new Map<string, number>();
  const toBits = (w: string) => [...w].map((n, i) => (i % 2 === 0 ? '1' : '0').repeat(Number(n))).join('');
  CODE128_PATTERNS.forEach((w, v) => patterns.set(toBits(w), v));
  expect(bits.endsWith('1100011101011')).toBe(true);
  const body = bits.slice(0, -13);
  const values: number[] = [];
  for (let i = 0; i < body.length; i += 11) values.push(patterns.get(body.slice(i, i + 11))!);
  const [start, ...rest] = values;
  const checksum = rest.pop()!;
  const sum = rest.reduce((s, v, i) => s + v * (i + 1), start!) % 103;
  return { start: start!, text: String.fromCharCode(...rest.map((v) => v + 32)), checksumOk: sum === checksum };
}

describe('Code 128 B', () => {
  it('matches a known-good encoding (JsBarcode’s test vector for "a@B=1")', () => {
    expect(code128Bits('a@B=1')).toBe(
      '110100100001001011000011000110110100010110001110011001010011100110110111001001100011101011',
    );
    // Its set A and set C vectors check more of the table: "ABC" + 0x19 (A = 33.., 0x19 = 89), "123456" as 12 34 56.
    expect(code128Symbols(103, [33, 34, 35, 89])).toBe(
      '1101000010010100011000100010110001000100011011011011110100011101101100011101011',
    );
    expect(code128Symbols(105, [12, 34, 56])).toBe(
      '11010011100101100111001000101100011100010110100011011101100011101011',
    );
  });

  it('every symbol is 11 modules of 3 bars and 3 spaces, with an even number of bar modules, and all differ', () => {
    expect(CODE128_PATTERNS).toHaveLength(106);
    for (const w of CODE128_PATTERNS) {
      const widths = [...w].map(Number);
      expect(widths.reduce((a, b) => a + b, 0)).toBe(11);
      expect((widths[0]! + widths[2]! + widths[4]!) % 2).toBe(0);
    }
    expect(new Set(CODE128_PATTERNS).size).toBe(106);
  });

  it('a sample id reads back with start B and a valid checksum', () => {
    expect(decode(code128Bits('SMP-26-000123'))).toEqual({ start: 104, text: 'SMP-26-000123', checksumOk: true });
    expect(code128Bits('SMP-26-000123')).toHaveLength((1 + 13 + 1) * 11 + 13);
  });

  it('refuses characters outside printable ASCII; the SVG escapes its text', () => {
    expect(() => code128Bits('SMP\n1')).toThrow(RangeError);
    const svg = code128Svg('a<b');
    expect(svg).toContain('>a&#60;b</text>');
    expect(svg).toMatch(/width="(\d+(\.\d+)?)mm"/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrast } from '../../dashboard/src/lib/contrast.ts';

// The palette as the browser gets it: the custom properties of app.css, light and dark.
const css = readFileSync(new URL('../../dashboard/src/app.css', import.meta.url), 'utf8');

function palette(dark: boolean): Record<string, string> {
  const vars: Record<string, string> = {};
  const dm = css.indexOf('@media (prefers-color-scheme: dark)');
  // Every :root block; the dark ones override the light ones only for the dark palette.
  const blocks = [...css.matchAll(/:root\s*\{([^}]*)\}/g)];
  for (const b of blocks) {
    const inDark = isInsideDark(b.index!);
    if (inDark && !dark) continue;
    for (const m of b[1]!.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)) vars[m[1]!] = m[2]!;
  }
  return vars;
  function isInsideDark(at: number): boolean {
    // A :root block is dark when the nearest @media before it is the dark one and still open.
    const before = css.lastIndexOf('@media (prefers-color-scheme: dark)', at);
    if (before < 0 || dm < 0) return false;
    const between = css.slice(before, at);
    return (between.match(/\{/g) ?? []).length - (between.match(/\}/g) ?? []).length >= 1;
  }
}

// Text colour on the background it is drawn on, as the components use them.
const TEXT_PAIRS: [string, string][] = [
  ['fg', 'bg'],
  ['fg', 'head-bg'],
  ['muted', 'bg'],
  ['muted', 'head-bg'],
  ['accent', 'bg'],
  ['on-accent', 'accent'],
  ['ok', 'bg'],
  ['warn', 'bg'],
  ['crit', 'bg'],
  ['info', 'bg'],
  ['silent-fg', 'silent-bg'],
  ['silent-fg-strong', 'neutral-bg'],
  ['muted', 'neutral-bg'],
  ['fg', 'accent-bg'],
  ['bar-fg', 'bar-bg'],
  ['bar-muted', 'bar-bg'],
  ...(['neutral', 'active', 'ok', 'warn', 'crit', 'closed'] as const).map((t): [string, string] => [
    `tone-${t}-fg`,
    `tone-${t}-bg`,
  ]),
];

describe('the palette keeps text at 4.5:1 or more', () => {
  for (const dark of [false, true]) {
    const vars = palette(dark);
    for (const [fg, bg] of TEXT_PAIRS) {
      it(`${dark ? 'dark' : 'light'}: --${fg} on --${bg}`, () => {
        expect(vars[fg], `--${fg}`).toBeDefined();
        expect(vars[bg], `--${bg}`).toBeDefined();
        expect(contrast(vars[fg]!, vars[bg]!)).toBeGreaterThanOrEqual(4.5);
      });
    }
  }

  it('reads the dark palette as its own', () => {
    expect(palette(true).fg).not.toBe(palette(false).fg);
    expect(palette(true)['tone-ok-bg']).toBe('#173222');
  });

  it('computes the WCAG ratio (black on white is 21, a colour on itself 1)', () => {
    expect(contrast('#000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#777777')).toBe(1);
    // #767676 on white is the well-known smallest grey that passes AA.
    expect(contrast('#767676', '#fff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#777777', '#fff')).toBeLessThan(4.5);
  });
});

import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE128_QUIET, code128Bits } from '../../core/domain/label/code128.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

// CommonJS with `exports.default`: Node hands over the exports object, vitest's interop the function.
type Decode = typeof jsqrModule.default;
const jsQR: Decode = typeof jsqrModule === 'function' ? (jsqrModule as unknown as Decode) : jsqrModule.default;

let p: TestPlatform;
const ids: string[] = [];
beforeAll(async () => {
  p = await startTestPlatform({ PUBLIC_URL: 'https://ops.example.com' });
  await p.product('LBL-SERUM');
  for (const [creator, campaign] of [
    ['@label.ana', 'label-spring'],
    ['@label.ben', 'label-spring'],
    ['@label.cleo', '<b>label-summer</b>'],
  ]) {
    ids.push(
      (await p.api<{ id: string }>('/api/samples', { method: 'POST', json: { creator, sku: 'LBL-SERUM', campaign } }))
        .body.id,
    );
  }
});
afterAll(() => p?.close());

const raw = async (path: string, as: 'admin' | 'fulfillment' | 'viewer' = 'admin') =>
  fetch(p.httpUrl + path, { headers: await p.authHeaders(as) });

describe('printable sample labels', () => {
  it('the PNG QR code decodes to the dashboard URL of the sample, or to the bare id', async () => {
    for (const [query, expected] of [
      ['', `https://ops.example.com/samples/${ids[0]}`],
      ['?content=id&scale=4', ids[0]],
    ] as const) {
      const res = await raw(`/api/samples/${ids[0]}/label.png${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
      expect(png.width).toBe(png.height);
      expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(expected);
    }
  });

  it('the SVG label carries id, creator, SKU and campaign, locked down against scripts', async () => {
    const res = await raw(`/api/samples/${ids[1]}/label.svg?layout=letter-3x10`, 'fulfillment');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = await res.text();
    expect(svg).toContain('width="66.675mm" height="25.4mm"');
    for (const text of [ids[1], '@label.ben', 'LBL-SERUM', 'label-spring']) expect(svg).toContain(`>${text}</text>`);
  });

  it('the Code 128 barcode draws exactly the bars of the bare id', async () => {
    const res = await raw(`/api/samples/${ids[0]}/barcode.svg`, 'fulfillment');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await res.text();
    const expected = code128Bits(ids[0]!);
    const drawn = Array.from({ length: expected.length }, () => '0');
    for (const [, x, w] of svg.matchAll(/M(\d+) 0h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(w); i++) drawn[Number(x) - CODE128_QUIET + i] = '1';
    }
    expect(drawn.join('')).toBe(expected);
    expect(svg).toContain(`>${ids[0]}</text>`);
  });

  it('a sheet prints the given ids in order, or the samples of a filter; user text is escaped', async () => {
    const byIds = await raw(`/api/samples/labels?ids=${ids[2]},${ids[0]}&skip=1`);
    expect(byIds.status).toBe(200);
    expect(byIds.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await byIds.text();
    expect([...html.matchAll(/<title>(SMP-[\d-]+)<\/title>/g)].map((m) => m[1])).toEqual([ids[2], ids[0]]);
    expect(html.match(/<div class="label"><\/div>/g)).toHaveLength(1);
    expect(html).toContain('@media print');
    expect(html).not.toContain('<b>label-summer</b>');
    expect(html).toContain('>&lt;b&gt;label-summ');

    const byCampaign = await (await raw('/api/samples/labels?campaign=label-spring&layout=letter-3x10')).text();
    expect([...byCampaign.matchAll(/<title>(SMP-[\d-]+)<\/title>/g)].map((m) => m[1])).toEqual([ids[0], ids[1]]);
    expect(byCampaign).toContain('@page { size: letter; margin: 0; }');
  });

  it('refuses what it cannot print with the error shape, and a viewer', async () => {
    const missing = await p.api<{ error: { code: string; details: { missing: string[] } } }>(
      `/api/samples/labels?ids=${ids[0]},SMP-26-999999`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.details.missing).toEqual(['SMP-26-999999']);
    expect((await p.api<{ error: { code: string } }>('/api/samples/labels')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await p.api('/api/samples/labels?ids=nope')).status).toBe(400);
    expect((await p.api(`/api/samples/${ids[0]}/label.png?scale=500`)).status).toBe(400);
    expect((await p.api('/api/samples/SMP-26-999999/label.svg')).status).toBe(404);
    expect((await raw(`/api/samples/${ids[0]}/label.svg`, 'viewer')).status).toBe(403);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';

/**
 * What the map suites share. The dashboard's maps are MapLibre GL (WebGL): the page's
 * drawing is read back through MapLibre's own API on the map element (rendered features,
 * loaded sources) and through the pixels of a screenshot.
 */

/** The MapLibre map of the first (or `nth`) map on the page, as page-side source text. */
export const MAP = (nth = 0) => `document.querySelectorAll('[data-map] .maplibregl-map')[${nth}].__map`;

/** Waits until the nth map has loaded its style and has nothing left to fetch or draw. */
export async function mapIdle(page: Page, nth = 0, timeout = 45_000): Promise<void> {
  await page.waitForFunction(
    `(() => { const m = ${MAP(nth)}; return !!m && m.loaded() && m.areTilesLoaded() && !m.isMoving(); })()`,
    undefined,
    { timeout },
  );
  // loaded() is true between frames too: one more frame so the last change is on screen.
  await page.evaluate(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))`);
}

/**
 * Fails every request that does not go to one of `hosts` (host:port) and records it: the
 * dashboard must need nothing from outside the platform (and the configured tile server).
 */
export async function blockOutside(page: Page, hosts: string[]): Promise<string[]> {
  const blocked: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || hosts.includes(url.host)) return route.continue();
    blocked.push(url.href);
    return route.abort('internetdisconnected');
  });
  return blocked;
}

export type RGB = readonly [number, number, number];

export const hex = (h: string): RGB => [
  Number.parseInt(h.slice(1, 3), 16),
  Number.parseInt(h.slice(3, 5), 16),
  Number.parseInt(h.slice(5, 7), 16),
];

/** Share of the picture's pixels within `tolerance` (per channel) of each colour. */
export function colourShares(png: Buffer, colours: Record<string, RGB>, tolerance = 6): Record<string, number> {
  const img = PNG.sync.read(png);
  const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0])) as Record<string, number>;
  const entries = Object.entries(colours);
  const total = img.width * img.height;
  for (let i = 0; i < total * 4; i += 4) {
    for (const [name, [r, g, b]] of entries) {
      if (
        Math.abs(img.data[i]! - r) <= tolerance &&
        Math.abs(img.data[i + 1]! - g) <= tolerance &&
        Math.abs(img.data[i + 2]! - b) <= tolerance
      ) {
        counts[name]! += 1;
        break;
      }
    }
  }
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / total]));
}

/**
 * A street-tile server on 127.0.0.1: every tile is a 256 px PNG of one colour, with a grid
 * line; /style.json is a MapLibre style document of a plain background in that colour.
 */
export async function startTileServer(
  colour: RGB,
): Promise<{ template: string; styleUrl: string; host: string; requests: string[]; close(): Promise<void> }> {
  const tile = new PNG({ width: 256, height: 256 });
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const i = (y * 256 + x) * 4;
      const edge = x === 0 || y === 0;
      tile.data[i] = edge ? 40 : colour[0];
      tile.data[i + 1] = edge ? 40 : colour[1];
      tile.data[i + 2] = edge ? 40 : colour[2];
      tile.data[i + 3] = 255;
    }
  }
  const body = PNG.sync.write(tile);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/style.json') {
      const style = {
        version: 8,
        sources: {},
        layers: [{ id: 'bg', type: 'background', paint: { 'background-color': `rgb(${colour.join(',')})` } }],
      };
      res
        .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end(JSON.stringify(style));
      return;
    }
    if (!/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    // A tile server on another origin: MapLibre loads tiles with fetch, so CORS applies.
    res
      .writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*', 'cache-control': 'no-store' })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    template: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`,
    styleUrl: `http://127.0.0.1:${port}/style.json`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

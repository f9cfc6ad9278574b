import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';

const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../screenshots');

function screenshotPath(name: string): string {
  if (!/^[\w.-]+$/.test(name))
    throw new Error(`Screenshot name must be a plain file name, got ${JSON.stringify(name)}`);
  return resolve(SCREENSHOT_DIR, `${name}.png`);
}

/** Saves a PNG of a page already open (e.g. in a browser test) to screenshots/<name>.png. */
export async function screenshotPage(page: Page, name: string, fullPage = false): Promise<string> {
  const path = screenshotPath(name);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path, fullPage });
  return path;
}

export interface ScreenshotOptions {
  width?: number;
  height?: number;
  /** A CSS selector to wait for before the shot, so the page has data and not a spinner. */
  waitFor?: string;
  fullPage?: boolean;
}

/** Saves a PNG of `url` to screenshots/<name>.png (git-ignored) and returns its path. */
export async function saveScreenshot(url: string, name: string, options: ScreenshotOptions = {}): Promise<string> {
  screenshotPath(name);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1600, height: options.height ?? 900 } });
    await page.goto(url, { waitUntil: 'load' });
    if (options.waitFor) await page.waitForSelector(options.waitFor);
    // Let the first animation frames settle (row flashes, fonts).
    await page.waitForTimeout(1500);
    return await screenshotPage(page, name, options.fullPage ?? false);
  } finally {
    await browser.close();
  }
}

// `npx tsx test/browser/screenshot.ts <url> <name>` takes one by hand.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [url, name] = process.argv.slice(2);
  if (!url || !name) {
    console.error('usage: tsx test/browser/screenshot.ts <url> <name>');
    process.exit(2);
  }
  console.log(await saveScreenshot(url, name, { waitFor: 'table' }));
}

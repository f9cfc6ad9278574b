import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The system Chromium, never a downloaded one. Flags keep it quiet and deterministic on a
 * shared CI box: no sandbox (containers), no GPU, no background fetches or updates.
 *
 * The maps need WebGL. No flag is added for it: with --disable-gpu this Chromium (Debian's
 * 156, headless) already falls back to SwiftShader, ANGLE's software Vulkan, and gives
 * WebGL 2 (the map suite prints the renderer). --enable-unsafe-swiftshader and
 * --use-angle=swiftshader were tried and change nothing here; add the first if a later
 * Chromium stops falling back on its own (the map tests then fail with "WebGL unavailable").
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const DASHBOARD = join(ROOT, 'dashboard');
const BUILT_INDEX = join(DASHBOARD, 'build', 'index.html');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/**
 * Builds the dashboard when dashboard/build is missing or older than its sources, so the
 * browser tests always drive what the code says now. It must run before the platform
 * starts: the server only serves the dashboard if index.html exists when it starts.
 */
export async function ensureDashboardBuilt(): Promise<'built' | 'up to date'> {
  const sources = ['src', 'svelte.config.js', 'vite.config.ts'].map((p) => join(DASHBOARD, p));
  const sourceTime = Math.max(...sources.filter(existsSync).map(newestChange));
  if (existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= sourceTime) return 'up to date';
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'dashboard'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return 'built';
}

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the dashboard only when its inputs changed, and never under a running server.
 *
 * Each build goes to `dashboard/builds/<hash of the inputs>/`, and `dashboard/build` is a
 * symlink to the current one, switched by an atomic rename. A running platform resolved the
 * symlink when it started and keeps serving its own folder (its static file list is fixed
 * at start), so `npm test` or a second `npm start` can build a new dashboard beside it
 * without turning the first one's pages white. The three newest builds are kept.
 */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const DASHBOARD = join(ROOT, 'dashboard');
const BUILDS = join(DASHBOARD, 'builds');
export const DASHBOARD_LINK = join(DASHBOARD, 'build');
const KEEP = 3;

/** What the built files depend on: the dashboard's sources and configuration, and the locked dependency versions. */
function inputsHash(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    else files.push(path);
  };
  for (const p of ['src', 'svelte.config.js', 'vite.config.ts', 'tsconfig.json']) {
    if (existsSync(join(DASHBOARD, p))) walk(join(DASHBOARD, p));
  }
  files.push(join(ROOT, 'package-lock.json'));
  for (const file of files) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function pointLinkAt(name: string): void {
  const current = existsSync(DASHBOARD_LINK) || isLink(DASHBOARD_LINK) ? DASHBOARD_LINK : null;
  if (current && isLink(current) && readlinkSync(current) === join('builds', name)) return;
  // A real folder from before builds were kept side by side: replace it once.
  if (current && !isLink(current)) rmSync(current, { recursive: true, force: true });
  const temp = `${DASHBOARD_LINK}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  symlinkSync(join('builds', name), temp);
  renameSync(temp, DASHBOARD_LINK);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function prune(current: string): void {
  const builds = readdirSync(BUILDS)
    .map((name) => ({ name, path: join(BUILDS, name) }))
    .filter((b) => b.name !== current)
    .map((b) => ({ ...b, mtime: statSync(b.path).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  // Half-written folders of a build that died are removed with the old ones.
  for (const old of builds.filter((b) => b.name.includes('.tmp') || builds.indexOf(b) >= KEEP - 1)) {
    rmSync(old.path, { recursive: true, force: true });
  }
}

/** Runs vite with its output captured: shown only when the build fails. */
function viteBuild(out: string): Promise<void> {
  return new Promise((done, failed) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'dashboard', '--logLevel', 'warn'],
      {
        cwd: ROOT,
        env: { ...process.env, DASHBOARD_OUT: out },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', failed);
    child.once('exit', (code) =>
      code === 0 ? done() : failed(new Error(`dashboard build failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Makes `dashboard/build` point at a build of the current sources; builds only when there is none. */
export async function ensureDashboardBuild(): Promise<{ built: boolean; ms: number; dir: string }> {
  const started = Date.now();
  const name = inputsHash();
  const dir = join(BUILDS, name);
  let built = false;
  if (!existsSync(join(dir, 'index.html'))) {
    const temp = `${dir}.${process.pid}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    await viteBuild(temp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(temp, dir);
    built = true;
  }
  pointLinkAt(name);
  prune(name);
  return { built, ms: Date.now() - started, dir };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { built, ms, dir } = await ensureDashboardBuild();
  console.log(
    built
      ? `dashboard built in ${(ms / 1000).toFixed(1)} s (${relative(ROOT, dir)})`
      : `dashboard up to date (${relative(ROOT, dir)})`,
  );
}

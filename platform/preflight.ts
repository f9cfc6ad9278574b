import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Env } from '../core/config/env.ts';

/** A problem found before anything starts, with what to do about it. */
export class PreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PreflightError';
  }
}

/**
 * Checks what would otherwise fail deep inside a start: the data folder must be writable,
 * and on the embedded database as root, reachable by the `postgres` user that PostgreSQL
 * runs as (it refuses to run as root). Without this a folder under /root dies with an
 * unhandled `spawn … initdb EACCES` long after the banner.
 */
export function preflight(env: Env): void {
  const problems: string[] = [];
  const dataDir = resolve(env.DATA_DIR);
  const existing = nearestExisting(dataDir);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    problems.push(`DATA_DIR ${dataDir}: ${existing} is not writable by this user. Set DATA_DIR to a folder you own.`);
  }
  if (!env.DATABASE_URL && process.getuid?.() === 0) {
    const blocked = closedToOthers(existing);
    if (blocked) {
      problems.push(
        `DATA_DIR ${dataDir}: the embedded PostgreSQL runs as the "postgres" user (it refuses root), and that user ` +
          `cannot enter ${blocked} (mode ${(statSync(blocked).mode & 0o777).toString(8)}). Set DATA_DIR to a folder it can reach ` +
          `(e.g. DATA_DIR=/var/lib/sampletrack), run as another user, or use DATABASE_URL.`,
      );
    }
  }
  if (problems.length) throw new PreflightError(problems);
}

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** The first folder on the way to `path` that a user other than its owner cannot traverse; undefined when every one can be. */
function closedToOthers(path: string): string | undefined {
  const postgres = postgresIds();
  const chain: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of chain) {
    const { mode, uid, gid } = statSync(dir);
    const canEnter =
      (postgres && uid === postgres.uid && mode & 0o100) ||
      (postgres && gid === postgres.gid && mode & 0o010) ||
      mode & 0o001;
    if (!canEnter) return dir;
  }
  return undefined;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ['-u', '-g'].map((f) =>
      Number(execFileSync('id', [f, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    );
    return { uid: uid!, gid: gid! };
  } catch {
    return undefined; // created at the first start; then only "others" permissions count
  }
}

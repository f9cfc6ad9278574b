import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/**
 * Who holds an embedded data folder, read from PostgreSQL's own lock file (postmaster.pid:
 * line 1 the postmaster's PID, line 2 its data directory) and from the process table.
 * Our platform writes its own PID to OWNER_FILE just before it spawns the server, so a
 * later start can tell a server whose platform still runs from one a crash left behind
 * (the server runs in a process group of its own and outlives a SIGKILL of the platform).
 */
export const OWNER_FILE = 'sampletrack.owner';

export type DataDirHolder =
  /** No lock file: nothing runs here. */
  | { kind: 'free' }
  /** The PID in the lock file is gone: PostgreSQL removes a stale lock file itself. */
  | { kind: 'stale'; pid: number }
  /** The PID is alive but is not a PostgreSQL of this folder (reused after a reboot or a crash). */
  | { kind: 'foreign'; pid: number }
  /** A PostgreSQL of this folder whose platform is gone (it was reparented). */
  | { kind: 'orphan'; pid: number }
  /** A PostgreSQL of this folder, the child of a live process: a running platform, or one we cannot identify. */
  | { kind: 'in_use'; pid: number; ownerPid: number; ours: boolean };

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly postgresPid: number,
    readonly ownerPid: number,
    ours: boolean,
  ) {
    super(
      ours
        ? `The data folder ${dataDir} is in use by a running platform (PID ${ownerPid}, PostgreSQL PID ${postgresPid}). ` +
            `Stop that platform first (Ctrl-C in its terminal, or kill -TERM ${ownerPid}), or start this one with another DATA_DIR.`
        : `The data folder ${dataDir} is in use by a PostgreSQL (PID ${postgresPid}) that this platform did not start ` +
            `(its parent is PID ${ownerPid}). Stop it (kill -INT ${postgresPid}), or start with another DATA_DIR.`,
    );
    this.name = 'DataDirInUseError';
  }
}

interface ProcessInfo {
  ppid: number;
  /** argv; empty when it cannot be read. */
  argv: string[];
  /** Working directory (PostgreSQL chdirs to its data directory); undefined when unreadable. */
  cwd: string | undefined;
}

/** undefined when there is no such process, or it has exited and awaits its reaper (a zombie). */
function processInfo(pid: number): ProcessInfo | undefined {
  if (process.platform === 'linux') {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined;
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    const argv = readOr(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean), []);
    return { ppid: Number(ppid), argv, cwd: readOr(() => readlinkSync(`/proc/${pid}/cwd`), undefined) };
  }
  // No /proc (macOS): ps knows the parent, the state and the command line.
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    if (!m || m[2]!.startsWith('Z')) return undefined;
    return { ppid: Number(m[1]), argv: m[3]!.split(/\s+/), cwd: undefined };
  } catch {
    return undefined;
  }
}

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

const real = (p: string) => readOr(() => realpathSync(p), resolve(p));

/** A postmaster of exactly this data folder: the postgres binary, with -D (or its cwd) naming it. */
function isPostgresOf(info: ProcessInfo, dataDir: string): boolean {
  if (basename(info.argv[0] ?? '') !== 'postgres') return false;
  const d = info.argv.indexOf('-D');
  const dashD = d >= 0 && info.argv[d + 1] ? real(info.argv[d + 1]!) : undefined;
  const target = real(dataDir);
  return dashD === target || (info.cwd !== undefined && info.cwd === target);
}

export async function inspectDataDir(dataDir: string): Promise<DataDirHolder> {
  const lock = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (lock === undefined) return { kind: 'free' };
  const [pidLine, dirLine] = lock.split('\n');
  const pid = Number(pidLine);
  // A lock file being written or mangled: let PostgreSQL judge it.
  if (!Number.isInteger(pid) || pid <= 0) return { kind: 'stale', pid };
  const info = processInfo(pid);
  if (!info) return { kind: 'stale', pid };
  if ((dirLine !== undefined && real(dirLine) !== real(dataDir)) || !isPostgresOf(info, dataDir))
    return { kind: 'foreign', pid };
  const owner = Number((await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => '')).trim()) || undefined;
  // Spawned by a platform that is still its parent: in use. Reparented (to init or a
  // subreaper) after its platform died: an orphan. No record of who started it: a
  // parent other than init may be someone's tool, so it is left alone.
  if (owner !== undefined) {
    return info.ppid === owner ? { kind: 'in_use', pid, ownerPid: owner, ours: true } : { kind: 'orphan', pid };
  }
  return info.ppid === 1 ? { kind: 'orphan', pid } : { kind: 'in_use', pid, ownerPid: info.ppid, ours: false };
}

export async function recordOwner(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, OWNER_FILE), `${process.pid}\n`);
}

export async function forgetOwner(dataDir: string): Promise<void> {
  await rm(join(dataDir, OWNER_FILE), { force: true });
}

/**
 * A lock file whose PID now belongs to an unrelated process. PostgreSQL would refuse to
 * start over it ("Is another postmaster running?"), since the PID answers. Its shared
 * memory interlock still refuses to start if any old server process is attached.
 */
export async function removeForeignLock(dataDir: string): Promise<void> {
  await rm(join(dataDir, 'postmaster.pid'), { force: true });
}

/**
 * Stops a postmaster that is not our child: SIGINT (fast shutdown: clients are disconnected,
 * a checkpoint is written, nothing committed is lost), then SIGQUIT (immediate shutdown,
 * recovered from the WAL on the next start) if it hangs, then SIGKILL of its process group
 * (the server and its backends; it was spawned detached, as the group's leader).
 */
export async function stopOrphan(
  pid: number,
  opts: { fastMs?: number; immediateMs?: number } = {},
): Promise<'fast' | 'immediate' | 'killed'> {
  const steps: [NodeJS.Signals, number, 'fast' | 'immediate' | 'killed'][] = [
    ['SIGINT', opts.fastMs ?? 60_000, 'fast'],
    ['SIGQUIT', opts.immediateMs ?? 10_000, 'immediate'],
    ['SIGKILL', 10_000, 'killed'],
  ];
  for (const [signal, ms, outcome] of steps) {
    try {
      if (signal === 'SIGKILL') process.kill(-pid, signal);
      else process.kill(pid, signal);
    } catch {
      return outcome;
    }
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!processInfo(pid)) return outcome;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`embedded PostgreSQL (PID ${pid}) did not exit, even after SIGKILL`);
}

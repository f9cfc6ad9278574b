import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of the bench's processes, from /proc (Linux). Rates move with whatever else the
 * machine runs; CPU spent per reading does not, so it is the figure to compare runs by.
 */

// /proc counts in clock ticks (USER_HZ), 100 on every usual Linux build.
const TICK_US = (() => {
  try {
    return 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 1e6 / 100;
  }
})();

interface Stat {
  ppid: number;
  /** utime + stime of the process itself, µs. */
  ownUs: number;
  /** cutime + cstime: its exited children that it has waited for, µs. */
  childrenUs: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  // The command name (field 2) may hold spaces and parentheses: fields follow its last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime…cstime fields 14…17.
  return {
    ppid: Number(f[1]),
    ownUs: (Number(f[11]) + Number(f[12])) * TICK_US,
    childrenUs: (Number(f[13]) + Number(f[14])) * TICK_US,
  };
}

/** utime + stime of one process, µs (0 once it is gone). */
export const processCpuUs = (pid: number): number => stat(pid)?.ownUs ?? 0;

/**
 * The database server's CPU so far, µs: the postmaster, its exited children (backends,
 * workers: it waits for each) and its live ones. A backend that exits between the two reads
 * is missed once; the pool's connections live through a run, so that is noise.
 */
export function serverCpuUs(postmaster: number): number {
  const pm = stat(postmaster);
  if (!pm) return 0;
  let total = pm.ownUs + pm.childrenUs;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s?.ppid === postmaster) total += s.ownUs;
  }
  return total;
}

/** The postmaster's pid: the parent of a backend, asked for its own pid. */
export async function postmasterPid(query: (sql: string) => Promise<{ rows: { pid: number }[] }>) {
  const { rows } = await query('select pg_backend_pid() as pid');
  const backend = stat(rows[0]!.pid);
  if (!backend) throw new Error('the database server is not on this machine: no CPU figures for it');
  return backend.ppid;
}

/** This process's CPU so far (all threads), µs. */
export const selfCpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

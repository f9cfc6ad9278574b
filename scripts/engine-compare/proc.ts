import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/**
 * The pid of the first process whose command line and environment hold every one of
 * `needles` (RabbitMQ passes its node name to beam.smp in the environment).
 */
export function findPid(...needles: string[]): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8') + readFileSync(`/proc/${d}/environ`, 'utf8');
      if (needles.every((n) => cmd.includes(n))) return Number(d);
    } catch {
      /* exited meanwhile */
    }
  }
  return undefined;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fixed CPU budget for some processes, as a container's CPU limit or a node of its own gives
 * a worker: a cgroup with a CFS quota (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us`). On a
 * 2-core machine that also runs the engine and the database, it is how a bench can tell
 * whether a second worker adds what a first one has, rather than what the box has left.
 * Needs a writable cgroup filesystem (root); throws naming what is missing otherwise.
 */
export interface CpuBudget {
  readonly cores: number;
  /** Moves a running process (and the threads and children it starts later) into the budget. */
  add(pid: number): void;
  /** Removes the group; its processes must have exited. */
  close(): void;
}

const PERIOD_US = 100_000;
const V2 = '/sys/fs/cgroup';
const V1 = '/sys/fs/cgroup/cpu';

export function cpuBudget(name: string, cores: number): CpuBudget {
  if (!(cores > 0)) throw new Error(`a CPU budget needs a positive number of cores, not ${cores}`);
  const quota = Math.round(cores * PERIOD_US);
  let dir: string;
  if (existsSync(join(V2, 'cgroup.controllers'))) {
    // v2: the cpu controller must be enabled for the root's children.
    if (!readFileSync(join(V2, 'cgroup.subtree_control'), 'utf8').includes('cpu'))
      writeFileSync(join(V2, 'cgroup.subtree_control'), '+cpu');
    dir = join(V2, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
  } else if (existsSync(join(V1, 'cpu.cfs_quota_us'))) {
    dir = join(V1, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  } else {
    throw new Error(`no cgroup cpu controller under ${V2}: a CPU budget needs cgroup v1 or v2, as root`);
  }
  return {
    cores,
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
    close: () => rmdirSync(dir),
  };
}

/**
 * Pins a running process, every thread it has and starts later, to some CPUs (`taskset`,
 * a list such as `0` or `0-1`). Workers pinned to one core never run at the same moment as
 * each other, as workers on nodes of their own would not share a core's caches.
 */
export function pinToCpus(pid: number, cpus: string): void {
  const r = spawnSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset could not pin ${pid} to CPUs ${cpus}: ${r.stderr || r.error?.message}`);
}

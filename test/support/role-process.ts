import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * A process of some roles, as deployed: `node --import tsx platform/main.ts --role <roles>`,
 * so a test can kill it with SIGKILL. `url` is where it answers /readyz (its health listener,
 * or the API when it runs the api role).
 */
export class RoleProcess {
  private child: ChildProcess | undefined;
  exitCode: number | null = null;
  output = '';

  constructor(
    readonly roles: string,
    private readonly env: Record<string, string>,
    readonly url: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts', '--role', this.roles], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : -1)));
    this.child = child;
    await waitFor(async () => (await this.readiness())?.ready, 60_000, `the ${this.roles} process to be ready`);
  }

  /** Its /readyz, or undefined while it does not answer; throws once it has exited. */
  async readiness(): Promise<Readiness | undefined> {
    if (this.exitCode !== null) throw new Error(`${this.roles} exited ${this.exitCode}: ${this.output.slice(-2000)}`);
    const res = await fetch(`${this.url}/readyz`).catch(() => undefined);
    return res ? ((await res.json()) as Readiness) : undefined;
  }

  /** The once-only jobs it leads now, from /readyz (`leads followUps, escalation` or `standby`). */
  async leads(): Promise<string[]> {
    const detail = (await this.readiness())?.checks.leader?.detail ?? '';
    return detail.startsWith('leads ') ? detail.slice(6).split(', ') : [];
  }

  /** A sample's value from its /metrics (0 when the series is absent). */
  async metric(headers: Record<string, string>, series: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`, { headers })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}

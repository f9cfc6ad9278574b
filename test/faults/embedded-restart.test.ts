import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { stopOrphan } from '../../core/storage/embedded-postgres-lock.ts';
import { freePort, serverPort } from '../support/free-port.ts';
import { PlatformProcess } from './support.ts';

/**
 * `npm start` on the embedded database after a crash: the platform's Node process killed
 * with SIGKILL leaves its PostgreSQL running (it runs in a process group of its own), and
 * the next start on the same DATA_DIR must still come up with the data intact. A second
 * platform on a folder that a live one uses must refuse, naming who holds it.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dataDir: string;
const started: PlatformProcess[] = [];

async function envOn(dir: string): Promise<Record<string, string>> {
  const [http, mqtt, ws, pg] = [await freePort(), await freePort(), await freePort(), await serverPort()];
  return {
    DATA_DIR: dir,
    EMBEDDED_PG_PORT: String(pg),
    HTTP_PORT: String(http),
    MQTT_PORT: String(mqtt),
    MQTT_WS_PORT: String(ws),
    DEMO_FLEET: '0',
    FOLLOW_UP_INTERVAL_S: '0',
    LOG_LEVEL: 'warn',
  };
}

async function platformOn(dir: string): Promise<PlatformProcess> {
  const p = new PlatformProcess(await envOn(dir));
  started.push(p);
  return p;
}

/** `tsx platform/main.ts` that is expected to give up: its exit code and output. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, output };
}

/** The PID in the embedded server's postmaster.pid, if the file is there. */
async function postmasterPid(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text ? Number(text.split('\n')[0]) : undefined;
}

/** As root the embedded server runs as the postgres user (core/storage/embedded-postgres.ts). */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  };
}

/** Running: a process that has exited but is not yet reaped (a zombie) does not count. */
const alive = (pid: number) => {
  if (process.platform === 'linux') {
    const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
    return stat !== '' && !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function readOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sampletrack-restart-'));
  // As root, PostgreSQL runs as the postgres user and must reach the folder.
  await chmod(dataDir, 0o777);
});

// Whatever happened in a test, nothing it started is left running for the next one.
afterEach(async () => {
  for (const p of started.splice(0)) if (p.exitCode === null) await p.kill('SIGKILL');
  const pid = await postmasterPid(dataDir);
  // Only a server of this folder: a test may have written another process's PID there.
  const ours =
    pid !== undefined &&
    readOr(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '').includes(join(dataDir, 'postgres'));
  if (pid && ours && alive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function deviceIds(p: PlatformProcess): Promise<string[]> {
  const res = await fetch(`${p.httpUrl}/api/devices`, { headers: await p.authHeaders() });
  expect(res.status).toBe(200);
  return ((await res.json()) as { devices: { id: string }[] }).devices.map((d) => d.id);
}

describe('embedded PostgreSQL across a crash of the platform', () => {
  it('starts again after SIGKILL of the platform, with the data intact', { timeout: 180_000 }, async () => {
    const first = await platformOn(dataDir);
    await first.start();
    await first.provision('trk-crash', 2);
    const pgPid = await postmasterPid(dataDir);
    expect(pgPid).toBeTypeOf('number');

    await first.kill('SIGKILL');
    // The crash left the server behind: this is what the next start finds.
    expect(alive(pgPid!)).toBe(true);

    const second = await platformOn(dataDir);
    await second.start();
    expect(await deviceIds(second)).toEqual(expect.arrayContaining(['trk-crash-0', 'trk-crash-1']));
    // The orphan was stopped; the new platform runs its own server.
    expect(alive(pgPid!)).toBe(false);
    expect(await postmasterPid(dataDir)).not.toBe(pgPid);
    expect(second.output).toContain('stopped an orphaned embedded PostgreSQL');
    // It honoured the fast shutdown: no escalation was needed, nothing to recover.
    expect(second.output).toContain(`"postgresPid":${pgPid},"shutdown":"fast"`);
    expect(await second.kill('SIGTERM')).toBe(0);
    // A clean stop leaves no server and no lock file behind.
    expect(await postmasterPid(dataDir)).toBeUndefined();
  });

  it(
    'refuses a second platform on a folder a running platform uses, and leaves the first alone',
    { timeout: 180_000 },
    async () => {
      const owner = await platformOn(dataDir);
      await owner.start();
      const pgPid = await postmasterPid(dataDir);

      const intruder = await runToExit(await envOn(dataDir));
      expect(intruder.code, intruder.output).toBe(1);
      expect(intruder.output).toMatch(/is in use by a running platform \(PID \d+, PostgreSQL PID \d+\)/);
      expect(intruder.output).toContain(`PostgreSQL PID ${pgPid})`);

      // Without the owner record a server whose parent is alive is still never stopped.
      await rm(join(dataDir, 'postgres', 'sampletrack.owner'));
      const unknown = await runToExit(await envOn(dataDir));
      expect(unknown.code, unknown.output).toBe(1);
      expect(unknown.output).toContain(`is in use by a PostgreSQL (PID ${pgPid}) that this platform did not start`);

      // The first platform and its server were not touched.
      expect(alive(pgPid!)).toBe(true);
      expect((await fetch(`${owner.httpUrl}/readyz`)).status).toBe(200);
      expect(await deviceIds(owner)).toEqual(expect.arrayContaining(['trk-crash-0']));
      expect(await owner.kill('SIGTERM')).toBe(0);
    },
  );

  it('starts over a stale postmaster.pid whose PID now belongs to another process', { timeout: 180_000 }, async () => {
    // A reused PID: a live process that is not PostgreSQL, of the user the server runs as
    // (PostgreSQL takes a PID it may not signal for gone). PostgreSQL alone would refuse
    // ("Is another postmaster running?") because the PID answers.
    const other = spawn('sleep', ['120'], { stdio: 'ignore', ...serverUser() });
    try {
      const lock = join(dataDir, 'postgres', 'postmaster.pid');
      await writeFile(
        lock,
        `${other.pid}\n${join(dataDir, 'postgres')}\n1700000000\n5432\n\n127.0.0.1\n  1234567     12345\nready   \n`,
      );
      const p = await platformOn(dataDir);
      await p.start();
      expect(await deviceIds(p)).toEqual(expect.arrayContaining(['trk-crash-0']));
      expect(alive(other.pid!)).toBe(true);
      expect(await p.kill('SIGTERM')).toBe(0);
    } finally {
      other.kill('SIGKILL');
    }
  });

  // On TEST_DATABASE_URL the run's server may be on another host: its PIDs mean nothing here.
  it.skipIf(process.platform !== 'linux' || Boolean(process.env.TEST_DATABASE_URL))(
    'never stops a PostgreSQL of another folder whose PID is in the lock file',
    { timeout: 180_000 },
    async () => {
      // The test run's own server (global setup): its postmaster is the parent of our backend.
      const client = new pg.Client({ connectionString: inject('pgServerUrl') });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      // Read while the connection is open: its backend process exits with it.
      const stat = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
      await client.end();
      const otherServer = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      expect(readFileSync(`/proc/${otherServer}/cmdline`, 'utf8')).toContain('postgres');
      await writeFile(
        join(dataDir, 'postgres', 'postmaster.pid'),
        `${otherServer}\n${join(dataDir, 'postgres')}\n1700000000\n5432\n\n127.0.0.1\n  1234567     12345\nready   \n`,
      );
      const p = await platformOn(dataDir);
      await p.start();
      expect(alive(otherServer)).toBe(true);
      expect(p.output).toContain('removed a stale postmaster.pid');
      expect(await p.kill('SIGTERM')).toBe(0);
    },
  );

  it('starts over a stale postmaster.pid whose PID is gone (PostgreSQL handles it)', { timeout: 180_000 }, async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    await writeFile(
      join(dataDir, 'postgres', 'postmaster.pid'),
      `${gone.pid}\n${join(dataDir, 'postgres')}\n1700000000\n5432\n\n127.0.0.1\n  1234567     12345\nready   \n`,
    );
    const p = await platformOn(dataDir);
    await p.start();
    expect(await deviceIds(p)).toEqual(expect.arrayContaining(['trk-crash-0']));
    expect(await p.kill('SIGTERM')).toBe(0);
  });
});

describe('stopping an orphan that hangs', () => {
  it(
    'escalates from SIGINT to SIGQUIT to SIGKILL of its process group, and only then',
    { timeout: 30_000 },
    async () => {
      // A process group that ignores both shutdown requests, as a hung server would.
      const stuck = spawn('sh', ['-c', 'trap "" INT QUIT; sleep 60 & wait'], { detached: true, stdio: 'ignore' });
      const pid = stuck.pid!;
      try {
        await new Promise((r) => setTimeout(r, 200));
        const started = Date.now();
        expect(await stopOrphan(pid, { fastMs: 400, immediateMs: 400 })).toBe('killed');
        // It waited out both grace periods before killing.
        expect(Date.now() - started).toBeGreaterThanOrEqual(800);
        expect(alive(pid)).toBe(false);
      } finally {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    },
  );

  it('stops at the fast shutdown when the process honours SIGINT', async () => {
    const polite = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    try {
      expect(await stopOrphan(polite.pid!, { fastMs: 5000 })).toBe('fast');
      expect(alive(polite.pid!)).toBe(false);
    } finally {
      polite.kill('SIGKILL');
    }
  });
});

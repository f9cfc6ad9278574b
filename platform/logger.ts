import pino from 'pino';
import pretty from 'pino-pretty';
import type { Env } from '../core/config/env.ts';

/**
 * One logger for the process. JSON lines for machines (a log shipper, a file, CI); readable
 * lines for a person at a terminal. pino-pretty runs in this thread as a plain stream, not as
 * a worker transport, so a log line written just before an exit is never lost.
 */
export function createLogger(env: Env, stdout: NodeJS.WriteStream = process.stdout): pino.Logger {
  const options = { level: env.LOG_LEVEL, base: { svc: 'sampletrack' } };
  const readable = env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT === 'auto' && stdout.isTTY === true);
  if (!readable) return pino(options);
  return pino(
    options,
    pretty({ destination: stdout, sync: true, ignore: 'pid,hostname,svc', translateTime: 'SYS:HH:MM:ss.l' }),
  );
}

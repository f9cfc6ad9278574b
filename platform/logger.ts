import pino from 'pino';
import type { Env } from '../core/config/env.ts';

export function createLogger(env: Env): pino.Logger {
  return pino({ level: env.LOG_LEVEL, base: { svc: 'sampletrack' } });
}

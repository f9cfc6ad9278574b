import pino from 'pino';
import type { Env } from '../core/config/env.ts';
import type { Logger } from '../core/observability/logger.ts';

export function createLogger(env: Env): Logger & pino.Logger {
  return pino({ level: env.LOG_LEVEL, base: { svc: 'sampletrack' } });
}

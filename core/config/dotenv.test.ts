import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnv } from './dotenv.ts';

describe('loadDotEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));

  it('reads a present .env, and a variable set in the shell wins over the file', () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nHTTP_PORT=4000\nLOG_LEVEL="debug"\n');
    const env: NodeJS.ProcessEnv = { HTTP_PORT: '5000' };
    expect(loadDotEnv(file, env)).toBe(true);
    expect(env).toEqual({ HTTP_PORT: '5000', LOG_LEVEL: 'debug' });
    expect(process.env.LOG_LEVEL).not.toBe('debug');
  });

  it('does nothing without a file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(join(dir, 'missing.env'), env)).toBe(false);
    expect(env).toEqual({});
  });
});

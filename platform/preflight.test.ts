import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../core/config/env.ts';
import { PreflightError, preflight } from './preflight.ts';

describe('preflight', () => {
  it('accepts a data folder that can be created and reached', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pre-'));
    chmodSync(dir, 0o755);
    expect(() => preflight(loadEnv({ DATA_DIR: join(dir, 'data') }))).not.toThrow();
  });

  // PostgreSQL refuses to run as root, so as root the embedded server runs as `postgres`.
  it.runIf(process.getuid?.() === 0)(
    'as root, names a data folder the postgres user cannot enter and what to do',
    () => {
      const closed = mkdtempSync(join(tmpdir(), 'pre-closed-'));
      chmodSync(closed, 0o700);
      const env = loadEnv({ DATA_DIR: join(closed, 'data') });
      expect(() => preflight(env)).toThrow(PreflightError);
      expect(() => preflight(env)).toThrow(new RegExp(`cannot enter ${closed} \\(mode 700\\).*DATA_DIR=`));
      // An external database needs no such access.
      expect(() =>
        preflight(loadEnv({ DATA_DIR: join(closed, 'data'), DATABASE_URL: 'postgres://db/x' })),
      ).not.toThrow();
    },
  );
});

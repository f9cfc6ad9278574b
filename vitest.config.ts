import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'core/**/*.test.ts',
      'broker/**/*.test.ts',
      'ingest/**/*.test.ts',
      'rules/**/*.test.ts',
      'workers/**/*.test.ts',
      'api/**/*.test.ts',
      'device-sim/**/*.test.ts',
      'platform/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

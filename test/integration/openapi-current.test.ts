import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_TYPES, OPENAPI_JSON, openApiArtifacts } from '../../scripts/openapi-artifacts.ts';

describe('generated API artifacts', () => {
  it(
    'docs/openapi.json and the dashboard wire types match the routes (run `npm run docs:openapi` after an API change)',
    { timeout: 60_000 },
    async () => {
      const { json, types } = await openApiArtifacts();
      // Compared whole: a changed response schema anywhere makes this fail until regenerated.
      expect(await readFile(OPENAPI_JSON, 'utf8'), 'docs/openapi.json is stale: run npm run docs:openapi').toBe(json);
      expect(
        await readFile(DASHBOARD_TYPES, 'utf8'),
        'dashboard/src/lib/api/schema.d.ts is stale: run npm run docs:openapi',
      ).toBe(types);
    },
  );
});

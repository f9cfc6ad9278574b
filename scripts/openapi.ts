import { writeFile } from 'node:fs/promises';
import { buildApp, type BuildAppOptions } from '../api/app.ts';
import { createMetrics } from '../core/observability/metrics.ts';

/**
 * Writes docs/openapi.json from the zod schemas the routes validate with. Routes only
 * declare themselves here; no service is called, so no database is needed.
 */
const unused = new Proxy({}, { get: () => { throw new Error('not available while generating docs'); } });
const app = await buildApp({
  services: unused as BuildAppOptions['services'],
  live: unused as BuildAppOptions['live'],
  metrics: createMetrics(),
  readiness: async () => ({}),
  config: { mapTileUrl: null, publicUrl: 'http://127.0.0.1:3000' },
  dashboard: false,
});
const doc = (await app.inject('/openapi.json')).json();
await writeFile(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
await app.close();
console.log(`docs/openapi.json: ${Object.keys(doc.paths).length} paths`);

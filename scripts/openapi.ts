import { mkdir, writeFile } from 'node:fs/promises';
import { DASHBOARD_TYPES, OPENAPI_JSON, openApiArtifacts } from './openapi-artifacts.ts';

/** Writes docs/openapi.json and the dashboard's generated wire types (see openapi-artifacts.ts). */
const { json, types, paths } = await openApiArtifacts();
await writeFile(OPENAPI_JSON, json);
await mkdir(new URL('.', DASHBOARD_TYPES), { recursive: true });
await writeFile(DASHBOARD_TYPES, types);
console.log(`docs/openapi.json: ${paths} paths; dashboard/src/lib/api/schema.d.ts regenerated`);

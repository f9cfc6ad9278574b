import { z } from 'zod';
import type { RouteBook } from './http/route.ts';
import { ErrorSchema } from './http/schemas.ts';
import { ERROR_STATUS } from './plugins/error-handler.ts';

type JsonSchema = Record<string, unknown>;

/** Builds the OpenAPI 3.1 document from the zod schemas the routes validate with. */
export function buildOpenApi(routes: RouteBook, info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const toSchema = (s: z.ZodType, io: 'input' | 'output'): JsonSchema =>
    z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;

  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: prop,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] = {
        description: status === '101' ? 'Switching protocols (WebSocket)' : 'OK',
        ...(schema ? { content: { 'application/json': { schema: toSchema(schema, 'output') } } } : {}),
      };
    }
    const errorContent = { content: { 'application/json': { schema: toSchema(ErrorSchema, 'output') } } };
    if (r.params || r.query || r.body)
      responses['400'] = { description: 'Invalid request (VALIDATION_FAILED, INVALID_JSON)', ...errorContent };
    const errors = r.access === 'public' ? r.errors : [...r.errors, 'UNAUTHENTICATED', 'FORBIDDEN'];
    for (const code of errors) {
      const status = String(ERROR_STATUS[code as keyof typeof ERROR_STATUS] ?? 409);
      const prev = responses[status] as { description?: string } | undefined;
      responses[status] = { description: [prev?.description, code].filter(Boolean).join(', '), ...errorContent };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      // No security requirement means public; otherwise a session cookie or a bearer token
      // whose role is one of x-roles.
      security: r.access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
      'x-roles': r.access === 'public' ? 'public' : [...r.access],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  const schemas: Record<string, JsonSchema> = {};
  hoistDefinitions(paths, schemas);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sampletrack API',
      version: info.version,
      description: 'Product samples sent to creators, with live parcel condition monitoring.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'st_session',
          description:
            'Dashboard sign-in (POST /api/auth/login). Unsafe methods also need the header x-requested-with: sampletrack.',
        },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (POST /api/tokens), scoped to one role.' },
      },
    },
  };
}

/**
 * zod gives every schema its own `$defs` for the named (`.meta({ id })`) schemas it uses, with
 * `$ref: '#/$defs/Name'`. Inside an OpenAPI 3.1 document `#` is the document's root, so those
 * references point nowhere (Scalar and other readers reject them). Each named schema moves to
 * `components.schemas` once, and every reference is rewritten to point there; `$schema` goes
 * too (the document's dialect already says draft 2020-12).
 */
function hoistDefinitions(node: unknown, into: Record<string, JsonSchema>): void {
  if (Array.isArray(node)) {
    for (const item of node) hoistDefinitions(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string' && obj.$ref.startsWith('#/$defs/'))
    obj.$ref = `#/components/schemas/${obj.$ref.slice('#/$defs/'.length)}`;
  delete obj.$schema;
  const defs = obj.$defs as Record<string, JsonSchema> | undefined;
  delete obj.$defs;
  for (const value of Object.values(obj)) hoistDefinitions(value, into);
  for (const [name, schema] of Object.entries(defs ?? {})) {
    hoistDefinitions(schema, into);
    into[name] ??= schema;
  }
}

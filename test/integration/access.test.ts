import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../core/domain/auth/roles.ts';
import { startTestPlatform, type As, type TestPlatform } from '../support/platform.ts';

/**
 * The role walk (issue 6): every operation of the generated OpenAPI document, called with
 * each role's API token and with no credentials. Public operations answer anyone; the
 * others answer 401 without credentials, 403 to roles not in x-roles, and neither to the
 * roles in it (a 400 or 404 for the dummy parameters is fine: access came first).
 */
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.close());

interface Operation {
  'x-roles'?: unknown;
  security?: unknown[];
}
type Doc = { paths: Record<string, Record<string, Operation>> };

// Ids no test row has: an allowed call gets 404 or 400, and never touches the harness's own tokens.
const DUMMY: Record<string, string> = { id: '999999', sku: 'NO-SUCH-SKU' };
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => DUMMY[name] ?? '999999');

describe('every route declares who may call it, and the platform enforces it', () => {
  it('walks every operation with each role and without credentials', { timeout: 120_000 }, async () => {
    const doc = (await p.api<Doc>('/openapi.json', { as: 'anonymous' })).body;
    const callers: Exclude<As, object>[] = ['anonymous', ...ROLES];
    const undeclared: string[] = [];
    const wrong: string[] = [];
    let checked = 0;
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations += 1;
        const roles = op['x-roles'];
        if (roles !== 'public' && !(Array.isArray(roles) && roles.length > 0)) {
          undeclared.push(`${method.toUpperCase()} ${path}`);
          continue;
        }
        for (const as of callers) {
          const unsafe = method !== 'get';
          const res = await p.api(concrete(path), {
            method: method.toUpperCase(),
            as,
            ...(unsafe && method !== 'delete' ? { json: {} } : {}),
          });
          const expected =
            roles === 'public' ? 'open' : as === 'anonymous' ? 401 : (roles as string[]).includes(as) ? 'open' : 403;
          const ok = expected === 'open' ? res.status !== 401 && res.status !== 403 : res.status === expected;
          if (!ok) wrong.push(`${method.toUpperCase()} ${path} as ${as}: ${res.status}, expected ${expected}`);
          checked += 1;
        }
      }
    }
    const total = operations * callers.length;
    console.log(
      `[access] ${operations} operations × ${callers.length} callers (anonymous, ${ROLES.join(', ')}): ` +
        `${checked}/${total} checked (${((100 * checked) / total).toFixed(1)} %), ${wrong.length} wrong`,
    );
    expect(undeclared).toEqual([]);
    expect(wrong).toEqual([]);
    expect(checked).toBe(total);
    expect(operations).toBeGreaterThan(50);
  });

  it('publishes the security requirement of each operation', async () => {
    const doc = (
      await p.api<Doc & { components: { securitySchemes: Record<string, unknown> } }>('/openapi.json', {
        as: 'anonymous',
      })
    ).body;
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['session', 'bearer']);
    expect(doc.paths['/healthz']!.get).toMatchObject({ security: [], 'x-roles': 'public' });
    expect(doc.paths['/api/users']!.post).toMatchObject({
      security: [{ session: [] }, { bearer: [] }],
      'x-roles': ['admin'],
    });
    expect(doc.paths['/api/carrier-events']!.post!['x-roles']).toContain('integration');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type As, type TestPlatform } from '../support/platform.ts';
import { LEAD, MIA, dispatch, label, programApi, type RequestResult, type Sample } from './sample-program.support.ts';

/**
 * Authority lives on the server (issue 11): every way a sample comes into being goes through
 * the approval policy, approving needs a limit the server checks (and never one's own request
 * above the auto-approval line), and the actor of every change is the signed-in principal:
 * no request body can name one.
 */
const suffix = () => Math.random().toString(36).slice(2, 8);
let p: TestPlatform;
let api: ReturnType<typeof programApi>;
const SAM: As = { person: 'sam', role: 'fulfillment' };
const TRAINEE: As = { person: 'trainee', role: 'ops', approvalLimitCents: 0 };

beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  await api.creator('@barred', { standing: 'restricted' });
  await api.product('CHEAP-1', { unitCostCents: 1200, inventoryOnHand: 100 });
  // Above the auto-approval line ($50), under the default approval limit ($250).
  await api.product('PRICEY-1', { unitCostCents: 12_000, inventoryOnHand: 100 });
  // Above the default limit, under the lead's ($1,000).
  await api.product('LUXE-1', { unitCostCents: 60_000, inventoryOnHand: 100 });
});
afterAll(() => p?.close());

const post = (path: string, json: unknown, as?: As) =>
  p.api<Record<string, unknown>>(path, { method: 'POST', json, ...(as ? { as } : {}) });
const csv = (path: string, body: string, as: As = MIA) =>
  p
    .authHeaders(as)
    .then((h) => fetch(p.httpUrl + path, { method: 'POST', headers: { ...h, 'content-type': 'text/csv' }, body }))
    .then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const sample = async (id: string) =>
  (await p.api<Sample & { policyDecision: { rule: string } | null }>(`/api/samples/${id}`)).body;
const errorOf = (body: unknown) => (body as { error: { code: string; details?: Record<string, unknown> } }).error;

/** A delivered-then-damaged sample, reshippable. */
async function damaged(): Promise<string> {
  const handle = `@dmg.${suffix()}`;
  await api.creator(handle);
  const { sample: s } = await api.request({ creator: handle, sku: 'CHEAP-1' });
  await api.event(s.id, label(`1Z${suffix()}`.toUpperCase()));
  await api.event(s.id, dispatch);
  await api.event(s.id, { type: 'report_damage', data: { note: 'crushed', suspectedCause: 'transit' } });
  return s.id;
}

/**
 * Every write route under the sample program, by what it does to samples. A new route must
 * be placed here, so nobody adds a way to create or advance a sample that this file does not test.
 */
const CREATES = [
  'POST /api/sample-requests',
  'POST /api/samples',
  'POST /api/samples/import',
  'POST /api/samples/{id}/reship',
  'POST /api/exceptions/{id}/resolve',
  'POST /api/exceptions/resolve',
  // TikTok Shop applications become requests through the policy (test/integration/tiktok-connector.test.ts).
  'POST /api/integrations/tiktok/poll',
];
const ADVANCES = [
  'POST /api/samples/{id}/events',
  'POST /api/carrier-events',
  // The aggregators' webhooks, signed by the vendor, through the same carrier-event rules.
  'POST /api/integrations/carriers/aftership/webhook',
  'POST /api/integrations/carriers/easypost/webhook',
  'POST /api/integrations/carriers/shippo/webhook',
  'POST /api/integrations/carriers/{vendor}/test',
];
const NEITHER = [
  'POST /api/sample-requests/preview',
  'POST /api/samples/{id}/claims',
  'PUT /api/samples/{id}/condition-profile',
  'PUT /api/samples/{id}/geofences',
  'PUT /api/samples/{id}/tracker',
  'DELETE /api/samples/{id}/tracker',
  'POST /api/exceptions/{id}/acknowledge',
  'POST /api/exceptions/acknowledge',
  // The creator's link: issuing or revoking it changes no sample. What the creator does through
  // it (/c/<token>, an HTML page outside the API document) advances the sample through the
  // same state machine as the creator actor: test/integration/creator-page.test.ts.
  'POST /api/samples/{id}/creator-link',
  'DELETE /api/samples/{id}/creator-link',
  'PUT /api/integrations/carriers/{vendor}',
  'PUT /api/integrations/tiktok',
  'POST /api/integrations/tiktok/pause',
  'POST /api/integrations/tiktok/resume',
];

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
  components?: { schemas?: Record<string, unknown> };
}

/** Names that would let a caller type who acted. */
const IDENTITY_KEYS = [
  'actor',
  'by',
  'requestedBy',
  'requested_by',
  'acknowledgedBy',
  'resolvedBy',
  'decidedBy',
  'openedBy',
  'createdBy',
  'doneBy',
  'userId',
  'principal',
];

function propertyNames(schema: unknown, doc: OpenApi, seen = new Set<unknown>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as Record<string, unknown>;
  const names: string[] = [];
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').at(-1)!;
    return propertyNames(doc.components?.schemas?.[name], doc, seen);
  }
  if (s.properties && typeof s.properties === 'object') {
    for (const [key, value] of Object.entries(s.properties)) names.push(key, ...propertyNames(value, doc, seen));
  }
  for (const k of ['items', 'additionalProperties', 'not']) names.push(...propertyNames(s[k], doc, seen));
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    if (Array.isArray(s[k])) for (const sub of s[k] as unknown[]) names.push(...propertyNames(sub, doc, seen));
  }
  return names;
}

describe('authority on the server', () => {
  it('knows every write route of the sample program as creating, advancing or neither', async () => {
    const doc = (await p.api<OpenApi>('/openapi.json')).body;
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const program = writes.filter((w) =>
      /^\w+ \/api\/(samples|sample-requests|exceptions|carrier-events|integrations)/.test(w),
    );
    const known = new Set([...CREATES, ...ADVANCES, ...NEITHER]);
    expect(program.filter((w) => !known.has(w))).toEqual([]);
    expect([...known].filter((k) => !program.includes(k))).toEqual([]);
  });

  it('no request body of any route can name who acts', async () => {
    const doc = (await p.api<OpenApi>('/openapi.json')).body;
    const offenders: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const media of Object.values(op.requestBody?.content ?? {})) {
          const bad = propertyNames(media.schema, doc).filter((n) => IDENTITY_KEYS.includes(n));
          if (bad.length) offenders.push(`${method.toUpperCase()} ${path}: ${[...new Set(bad)].join(', ')}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('refuses a body that tries to name the actor, on every route that used to take one', async () => {
    const id = await damaged();
    const attempts: [string, unknown][] = [
      [
        '/api/sample-requests',
        { creator: '@barred', sku: 'CHEAP-1', campaign: 'c', source: 'form', requestedBy: 'boss' },
      ],
      [
        '/api/sample-requests',
        { creator: '@barred', sku: 'CHEAP-1', campaign: 'c', source: 'form', override: { by: 'boss', reason: 'fit' } },
      ],
      ['/api/samples', { creator: '@x', sku: 'CHEAP-1', requestedBy: 'boss' }],
      [`/api/samples/${id}/events`, { type: 'resolve_damage', actor: { kind: 'tracker', id: 'trk-999' } }],
      [`/api/samples/${id}/reship`, { requestedBy: 'boss' }],
      ['/api/exceptions/1/acknowledge', { by: 'boss' }],
      ['/api/exceptions/1/resolve', { by: 'boss', disposition: 'accept' }],
      ['/api/exceptions/acknowledge', { ids: [1], by: 'boss' }],
      ['/api/alerts/1/read', { by: 'boss' }],
    ];
    for (const [path, json] of attempts) {
      const res = await post(path, json);
      expect({ path, status: res.status, code: errorOf(res.body)?.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const importing = await csv(
      '/api/samples/import',
      'creator,sku,campaign,source,requested_by\n@barred,CHEAP-1,c,form,boss\n',
    );
    expect(importing.status).toBe(400);
    // Nothing of it happened: the damaged sample is still damaged, no sample was requested by "boss".
    expect((await sample(id)).status).toBe('damaged');
    expect((await p.pool.query("select 1 from samples where requested_by = 'boss'")).rowCount).toBe(0);
  });

  it('records the signed-in person as the actor of requests, overrides and transitions', async () => {
    await api.creator('@named');
    const req = await api.request({ creator: '@named', sku: 'PRICEY-1', override: undefined });
    expect(req.sample.requestedBy).toBe('mia@test.local');
    expect(req.transitions[0]?.actor).toEqual({ kind: 'user', id: 'mia@test.local' });
    const approved = await api.event(req.sample.id, { type: 'approve', reason: 'good fit' }, 200, SAM);
    expect(approved.transitions[0]).toMatchObject({
      actor: { kind: 'user', id: 'sam@test.local' },
      reason: 'good fit',
    });
    const audit = await p.api<{ entries: { actorLabel: string; action: string }[] }>(
      `/api/audit?entity=sample:${req.sample.id}`,
    );
    expect(audit.body.entries.map((e) => [e.action, e.actorLabel.split(' ')[0]])).toEqual(
      expect.arrayContaining([
        ['sample.transition', 'mia@test.local'],
        ['sample.transition', 'sam@test.local'],
      ]),
    );
  });

  it('sends every way of creating a sample through the policy: a restricted creator is refused on each', async () => {
    const viaRequest = await post(
      '/api/sample-requests',
      { creator: '@barred', sku: 'CHEAP-1', campaign: 'c1', source: 'form' },
      MIA,
    );
    expect(viaRequest.status).toBe(201);
    expect((viaRequest.body as unknown as RequestResult).decision).toMatchObject({
      decision: 'rejected',
      rule: 'restricted_creator',
    });

    const preview = await post(
      '/api/sample-requests/preview',
      { creator: '@barred', sku: 'CHEAP-1', campaign: 'c1', source: 'form' },
      MIA,
    );
    expect(preview.body).toMatchObject({ decision: { decision: 'rejected', rule: 'restricted_creator' } });

    // Quick entry, once a bypass: the same policy decides.
    const quick = await post('/api/samples', { creator: '@barred', sku: 'CHEAP-1', campaign: 'c2' }, MIA);
    expect(quick.status).toBe(201);
    expect(await sample(quick.body.id as string)).toMatchObject({
      status: 'rejected',
      policyDecision: { rule: 'restricted_creator' },
    });
    // A new handle through quick entry is a new creator in good standing: auto-approved when cheap.
    const fresh = await post('/api/samples', { creator: `@new.${suffix()}`, sku: 'CHEAP-1' }, MIA);
    expect(await sample(fresh.body.id as string)).toMatchObject({ status: 'approved', requestedBy: 'mia@test.local' });
    // An expensive one waits for an approver, whoever entered it.
    const pricey = await post('/api/samples', { creator: `@new.${suffix()}`, sku: 'PRICEY-1' }, MIA);
    expect(await sample(pricey.body.id as string)).toMatchObject({
      status: 'requested',
      policyDecision: { rule: 'expensive_sku' },
    });

    const imported = await csv('/api/samples/import', 'creator,sku,campaign,source\n@barred,CHEAP-1,c3,form\n');
    expect(imported.body).toMatchObject({ created: 1, rows: [{ decision: 'rejected', rule: 'restricted_creator' }] });

    // Reships, from the sample and from an exception's disposition: each its own request, decided by the policy.
    const fromSample = await post(`/api/samples/${await damaged()}/reship`, {}, SAM);
    expect(fromSample.body).toMatchObject({ decision: { decision: 'needs_approver', rule: 'reship' } });
    const other = await damaged();
    const { id: deviceId } = await p.provisionDevice(`trk-auth-${suffix()}`);
    const { rows } = await p.pool.query<{ id: string }>(
      `insert into condition_exceptions (sample_id, device_id, episode_id, rule, type, severity, started_at, peak, limit_value, duration_ms, evidence)
       values ($1, $2, $3, 'shock', 'dropped', 'critical', now(), 14, 8, 0, '{1}') returning id`,
      [other, deviceId, `ep-${suffix()}`],
    );
    const resolved = await post(`/api/exceptions/${rows[0]!.id}/resolve`, { disposition: 'reship' }, SAM);
    expect(resolved.status).toBe(200);
    const reshipId = (resolved.body.sampleAction as { reshipId: string }).reshipId;
    expect(await sample(reshipId)).toMatchObject({
      status: 'requested',
      reshipOf: other,
      requestedBy: 'sam@test.local',
      policyDecision: { rule: 'reship' },
    });
  });

  it('enforces approval limits and the four-eyes rule on approve, and says so in the queue', async () => {
    await api.creator('@limits');
    const pricey = (await api.request({ creator: '@limits', sku: 'PRICEY-1', campaign: 'l1' })).sample.id;
    const luxe = (await api.request({ creator: '@limits', sku: 'LUXE-1', campaign: 'l2' })).sample.id;

    // The queue tells each approver what they may approve, before they try.
    const queueFor = async (as: As) =>
      Object.fromEntries(
        (
          await p.api<{ approvals: { sampleId: string; mayApprove: boolean; whyNot: string | null }[] }>(
            '/api/approvals',
            { as },
          )
        ).body.approvals
          .filter((a) => a.sampleId === pricey || a.sampleId === luxe)
          .map((a) => [a.sampleId === pricey ? 'pricey' : 'luxe', a.mayApprove]),
      );
    expect(await queueFor(MIA)).toEqual({ pricey: false, luxe: false });
    expect(await queueFor(SAM)).toEqual({ pricey: true, luxe: false });
    expect(await queueFor(LEAD)).toEqual({ pricey: true, luxe: true });

    // Mia requested both: she may not approve her own above the auto-approval line.
    const own = await api.event(pricey, { type: 'approve' }, 403, MIA);
    expect(errorOf(own)).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'self_approval' } });
    // A limit of $0 approves nothing; $600 is over Sam's default $250.
    expect(errorOf(await api.event(pricey, { type: 'approve' }, 403, TRAINEE)).details).toMatchObject({
      reason: 'approval_limit',
      limitCents: 0,
    });
    expect(errorOf(await api.event(luxe, { type: 'approve' }, 403, SAM)).details).toMatchObject({
      reason: 'approval_limit',
      limitCents: 25_000,
      productCostCents: 60_000,
    });
    // A refusal changes nothing: no stock reserved, still requested.
    expect((await sample(luxe)).status).toBe('requested');
    expect((await p.api<{ inventoryOnHand: number }>('/api/products/LUXE-1')).body.inventoryOnHand).toBe(100);

    // Within their limits: Sam approves the $120 one, the lead the $600 one.
    await api.event(pricey, { type: 'approve' }, 200, SAM);
    const approved = await api.event(luxe, { type: 'approve' }, 200, LEAD);
    expect(approved.transitions[0]).toMatchObject({ actor: { kind: 'user', id: 'lead-kim@test.local' } });
    expect((await p.api<{ inventoryOnHand: number }>('/api/products/LUXE-1')).body.inventoryOnHand).toBe(99);

    // Rejecting spends nothing: any approver may, even with a $0 limit.
    await api.creator('@limits.two');
    const third = (await api.request({ creator: '@limits.two', sku: 'LUXE-1', campaign: 'l3' })).sample.id;
    await api.event(third, { type: 'reject', reason: 'over budget' }, 200, TRAINEE);
    // A viewer may not decide at all.
    expect((await post(`/api/samples/${pricey}/events`, { type: 'approve' }, 'viewer')).status).toBe(403);
  });

  it('lets an admin set a person’s limit, audited, and the new limit applies at once', async () => {
    await api.creator('@raise');
    const luxe = (await api.request({ creator: '@raise', sku: 'LUXE-1' })).sample.id;
    expect(errorOf(await api.event(luxe, { type: 'approve' }, 403, TRAINEE)).details).toMatchObject({
      reason: 'approval_limit',
    });
    const users = (await p.api<{ users: { id: number; email: string }[] }>('/api/users')).body.users;
    const trainee = users.find((u) => u.email === 'trainee@test.local')!;
    const raised = await p.api<{ approvalLimitCents: number }>(`/api/users/${trainee.id}`, {
      method: 'PATCH',
      json: { approvalLimitCents: 100_000 },
    });
    expect(raised.body.approvalLimitCents).toBe(100_000);
    await api.event(luxe, { type: 'approve' }, 200, TRAINEE);
    const audit = await p.api<{
      entries: {
        action: string;
        detail: { before: { approvalLimitCents: number }; after: { approvalLimitCents: number } };
      }[];
    }>(`/api/audit?entity=user:${trainee.id}`);
    expect(audit.body.entries[0]).toMatchObject({
      action: 'user.update',
      detail: { before: { approvalLimitCents: 0 }, after: { approvalLimitCents: 100_000 } },
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  SEEDED_SEVERITIES,
  SEEDED_STAGES,
  SEEDED_TYPES,
  manyExceptions,
  type SeededExceptions,
} from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The exceptions inbox at scale (issue 10, item 12): filters, paging with totals, the view
 * grouped by sample, and bulk acknowledge / resolve whose actor is the signed-in principal,
 * over real HTTP against the real platform and PostgreSQL. The exceptions are written
 * straight to the database (test/support/builders.ts manyExceptions) so their attributes
 * follow a known pattern and every expected count is computed from it.
 */

interface Exception {
  id: number;
  sampleId: string;
  type: string;
  severity: string;
  stage: string | null;
  status: string;
  creator: string;
  sku: string;
  startedAt: string;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  disposition: string | null;
  resolutionNote: string | null;
  repeatCount: number;
  lastSeenAt: string | null;
}
interface Counts {
  total: number;
  severity: Record<string, number>;
  status: Record<string, number>;
}
interface ListPage {
  exceptions: Exception[];
  total: number;
  limit: number;
  offset: number;
  counts: Counts;
}
interface Group {
  sampleId: string;
  creator: string;
  sku: string;
  total: number;
  severity: Record<string, number>;
  status: Record<string, number>;
  worstSeverity: string;
  newestStartedAt: string;
  lastSeenAt: string;
  exceptions: Exception[];
}
interface GroupPage {
  groups: Group[];
  total: number;
  limit: number;
  offset: number;
  counts: Counts;
}
interface Bulk {
  results: { id: number; outcome: string; code?: string; reason?: string; current?: string }[];
  done: number;
  refused: number;
}

const COUNT = 120;
const SAMPLES = 12;
const MIN = 60_000;
let p: TestPlatform;
let seeded: SeededExceptions;
let seededAt: number;

/** Exception k's attributes, as manyExceptions wrote them. */
const attrs = (k: number) => ({
  sample: k % SAMPLES,
  type: SEEDED_TYPES[k % 4]!.type,
  severity: SEEDED_SEVERITIES[k % 3]!,
  stage: SEEDED_STAGES[Math.floor(k / 3) % 3]!,
});
const ks = Array.from({ length: COUNT }, (_, k) => k);
const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

beforeAll(async () => {
  p = await startTestPlatform();
  // 30 s back: a span filter judged by the server's clock a little later still draws the same line.
  seededAt = Date.now() - 30_000;
  seeded = await manyExceptions(p.pool, { count: COUNT, samples: SAMPLES, tag: 'inbox', now: seededAt });
});
afterAll(() => p?.close());

const list = async (query: string, as: 'admin' | 'viewer' = 'viewer') => {
  const res = await p.api<ListPage>(`/api/exceptions?${query}`, { as });
  expect(res.status, query).toBe(200);
  return res.body;
};

describe('GET /api/exceptions: filters and paging', () => {
  it('combines severity (several), type, stage and status, and the total counts every page', async () => {
    const expected = ks.filter((k) => {
      const a = attrs(k);
      return ['critical', 'warning'].includes(a.severity) && a.type === 'shock' && a.stage === 'in_transit';
    });
    expect(expected.length).toBeGreaterThan(3);
    const page = await list('severity=critical&severity=warning&type=shock&stage=in_transit&status=open&limit=3');
    expect(page.total).toBe(expected.length);
    expect(page.exceptions).toHaveLength(3);
    for (const e of page.exceptions) {
      expect(e).toMatchObject({ type: 'shock', stage: 'in_transit', status: 'open' });
      expect(['critical', 'warning']).toContain(e.severity);
    }
    expect(page.counts.severity).toEqual({
      critical: expected.filter((k) => attrs(k).severity === 'critical').length,
      warning: expected.filter((k) => attrs(k).severity === 'warning').length,
      info: 0,
    });
  });

  it('pages through the whole inbox in inbox order, each exception once, with the same total on every page', async () => {
    const seen: Exception[] = [];
    for (let offset = 0; ; offset += 25) {
      const page = await list(`limit=25&offset=${offset}`);
      expect(page.total).toBe(COUNT);
      expect(page).toMatchObject({ limit: 25, offset });
      seen.push(...page.exceptions);
      if (page.exceptions.length < 25) break;
    }
    expect(seen.map((e) => e.id).sort((a, b) => a - b)).toEqual([...seeded.ids].sort((a, b) => a - b));
    // Open, most severe first, oldest first.
    const order = [...seen].sort(
      (a, b) =>
        SEVERITY_RANK[a.severity]! - SEVERITY_RANK[b.severity]! ||
        a.startedAt.localeCompare(b.startedAt) ||
        a.id - b.id,
    );
    expect(seen.map((e) => e.id)).toEqual(order.map((e) => e.id));
    // Past the end: no rows, still the total.
    const beyond = await list('limit=25&offset=5000');
    expect(beyond).toMatchObject({ exceptions: [], total: COUNT });
  });

  it('filters by age (event time), by sample and by creator handle in any case', async () => {
    // Began k minutes before seeding: within the last 10 minutes are k = 0..9.
    expect((await list('startedWithin=10m')).total).toBe(10);
    // Longer than 100 minutes ago (the server's now is ~30 s after seeding): k = 100..119.
    expect((await list('startedOlderThan=100m')).total).toBe(ks.filter((k) => k >= 100).length);
    const from = new Date(seededAt - 20 * MIN).toISOString();
    const before = new Date(seededAt - 10 * MIN).toISOString();
    const window = await list(
      `startedFrom=${encodeURIComponent(from)}&startedBefore=${encodeURIComponent(before)}&limit=100`,
    );
    // started_at = seededAt - k min, in [seededAt - 20 min, seededAt - 10 min): k = 11..20.
    expect(window.exceptions.map((e) => e.id).sort((a, b) => a - b)).toEqual(
      ks
        .filter((k) => k > 10 && k <= 20)
        .map((k) => seeded.ids[k])
        .sort((a, b) => a! - b!),
    );
    expect((await list(`openedFrom=${encodeURIComponent(from)}`)).total).toBe(21);

    const sample = seeded.samples[3]!;
    const ofSample = await list(`sampleId=${sample.id}&limit=100`);
    expect(ofSample.total).toBe(COUNT / SAMPLES);
    expect(ofSample.exceptions.every((e) => e.sampleId === sample.id && e.sku === sample.sku)).toBe(true);

    // Samples 3 and 10 have creator3 (s mod 7).
    const ofCreator = await list(`creator=${encodeURIComponent('@INBOX.Creator3')}&limit=100`);
    expect(ofCreator.total).toBe(2 * (COUNT / SAMPLES));
    expect(new Set(ofCreator.exceptions.map((e) => e.creator))).toEqual(new Set(['@inbox.creator3']));
  });

  it('carries the incident fields repeatCount and lastSeenAt', async () => {
    const k = 7;
    await p.pool.query('update condition_exceptions set repeat_count = 3 where id = $1', [seeded.ids[k]]);
    const one = await p.api<Exception>(`/api/exceptions/${seeded.ids[k]}`);
    expect(one.body.repeatCount).toBe(3);
    expect(Date.parse(one.body.lastSeenAt!)).toBe(seededAt - k * MIN);
    const listed = (await list(`sampleId=${seeded.samples[k % SAMPLES]!.id}&limit=100`)).exceptions;
    expect(listed.find((e) => e.id === seeded.ids[k])).toMatchObject({
      repeatCount: 3,
      lastSeenAt: one.body.lastSeenAt,
    });
    expect(listed.filter((e) => e.id !== seeded.ids[k]).every((e) => e.repeatCount === 1)).toBe(true);
  });

  it('refuses bad filters with 400 VALIDATION_FAILED', async () => {
    for (const q of [
      'severity=urgent',
      'stage=moon',
      'status=closed',
      'startedWithin=forever',
      'startedWithin=0h',
      'startedFrom=yesterday',
      'openedBefore=0000-01-01T00:00:00Z',
      'type=DROP%20TABLE',
      'limit=0',
      'limit=5000',
      `creator=${'x'.repeat(300)}`,
    ]) {
      const res = await p.api<{ error: { code: string } }>(`/api/exceptions?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('VALIDATION_FAILED');
      const grouped = await p.api<{ error: { code: string } }>(`/api/exceptions/groups?${q}`);
      expect(grouped.status, `groups ${q}`).toBe(400);
    }
  });
});

describe('GET /api/exceptions/groups: the inbox by sample', () => {
  it('gives per sample its creator, SKU, counts, worst severity, newest and first exceptions, paged with the number of groups', async () => {
    const groups: Group[] = [];
    for (let offset = 0; ; offset += 5) {
      const page = (
        await p.api<GroupPage>(`/api/exceptions/groups?limit=5&offset=${offset}&perGroup=2`, { as: 'viewer' })
      ).body;
      expect(page.total).toBe(SAMPLES);
      expect(page.counts.total).toBe(COUNT);
      groups.push(...page.groups);
      if (page.groups.length < 5) break;
    }
    expect(groups.map((g) => g.sampleId).sort()).toEqual(seeded.samples.map((s) => s.id).sort());
    for (const g of groups) {
      const s = seeded.samples.findIndex((x) => x.id === g.sampleId);
      const mine = ks.filter((k) => attrs(k).sample === s);
      expect(g).toMatchObject({ creator: seeded.samples[s]!.creator, sku: seeded.samples[s]!.sku, total: mine.length });
      const bySeverity = (sev: string) => mine.filter((k) => attrs(k).severity === sev).length;
      expect(g.severity).toEqual({
        critical: bySeverity('critical'),
        warning: bySeverity('warning'),
        info: bySeverity('info'),
      });
      expect(g.status).toEqual({ open: mine.length, acknowledged: 0, resolved: 0, retracted: 0 });
      expect(g.worstSeverity).toBe(['critical', 'warning', 'info'].find((sev) => bySeverity(sev) > 0));
      expect(Date.parse(g.newestStartedAt)).toBe(seededAt - Math.min(...mine) * MIN);
      // Its first two in inbox order.
      const first = [...mine]
        .sort((a, b) => SEVERITY_RANK[attrs(a).severity]! - SEVERITY_RANK[attrs(b).severity]! || b - a)
        .slice(0, 2);
      expect(g.exceptions.map((e) => e.id)).toEqual(first.map((k) => seeded.ids[k]));
    }
    // A group stands where its most pressing exception stands in the flat inbox.
    const flat = await list(`limit=${COUNT}`);
    const firstAppearance = [...new Set(flat.exceptions.map((e) => e.sampleId))];
    expect(groups.map((g) => g.sampleId)).toEqual(firstAppearance);
  });

  it('applies the same filters to the groups and their counts', async () => {
    const page = (
      await p.api<GroupPage>('/api/exceptions/groups?severity=critical&type=too_hot&limit=50', { as: 'viewer' })
    ).body;
    const expected = ks.filter((k) => attrs(k).severity === 'critical' && attrs(k).type === 'too_hot');
    expect(page.counts.total).toBe(expected.length);
    expect(page.total).toBe(new Set(expected.map((k) => attrs(k).sample)).size);
    expect(page.groups.reduce((n, g) => n + g.total, 0)).toBe(expected.length);
    for (const g of page.groups) {
      expect(g.worstSeverity).toBe('critical');
      expect(g.exceptions.every((e) => e.severity === 'critical' && e.type === 'too_hot')).toBe(true);
    }
    const none = (await p.api<GroupPage>('/api/exceptions/groups?creator=nobody&offset=10', { as: 'viewer' })).body;
    expect(none).toMatchObject({ groups: [], total: 0 });
  });
});

describe('bulk acknowledge and resolve', () => {
  const auditOf = async (action: string, ids: number[]) =>
    (
      await p.pool.query<{ entity_id: string; actor: string; actor_label: string; detail: Record<string, unknown> }>(
        `select entity_id, actor, actor_label, detail from audit_log where action = $1 and entity_id = any($2) order by id`,
        [action, ids.map(String)],
      )
    ).rows;

  it('acknowledges the open ones in one request as the signed-in principal, reports each refusal, audits and announces each', async () => {
    const ws = new WebSocket(`${p.httpUrl.replace('http', 'ws')}/api/live`, { headers: await p.authHeaders('viewer') });
    const live = new Set<number>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; exceptions?: Exception[] };
      if (m.type === 'exceptions') for (const e of m.exceptions!) if (e.status === 'acknowledged') live.add(e.id);
    });
    await new Promise((r) => ws.once('open', r));
    const [a, b, c] = [seeded.ids[0]!, seeded.ids[1]!, seeded.ids[2]!];
    // c is acknowledged already, by someone else.
    expect(
      (await p.api(`/api/exceptions/${c}/acknowledge`, { method: 'POST', json: {}, as: 'fulfillment' })).status,
    ).toBe(200);

    const res = await p.api<Bulk>('/api/exceptions/acknowledge', {
      method: 'POST',
      json: { ids: [a, b, c, 999_999, a] },
      as: 'ops',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { id: a, outcome: 'done' },
        { id: b, outcome: 'done' },
        {
          id: c,
          outcome: 'refused',
          code: 'INVALID_TRANSITION',
          current: 'acknowledged',
          reason: expect.stringContaining('acknowledged'),
        },
        { id: 999_999, outcome: 'refused', code: 'NOT_FOUND', reason: expect.any(String) },
      ],
      done: 2,
      refused: 2,
    });
    const { rows } = await p.pool.query<{ id: number; status: string; acknowledged_by: string }>(
      'select id, status, acknowledged_by from condition_exceptions where id = any($1) order by id',
      [[a, b]],
    );
    // The token belongs to the admin user: the principal, whatever the body could have said.
    expect(rows).toEqual([
      { id: a, status: 'acknowledged', acknowledged_by: p.admin.email },
      { id: b, status: 'acknowledged', acknowledged_by: p.admin.email },
    ]);
    const events = await p.pool.query<{ exception_id: number; actor: string }>(
      `select exception_id, actor from condition_exception_events where kind = 'acknowledged' and exception_id = any($1) order by exception_id`,
      [[a, b]],
    );
    expect(events.rows).toEqual([
      { exception_id: a, actor: p.admin.email },
      { exception_id: b, actor: p.admin.email },
    ]);
    const audit = await auditOf('exception.acknowledge', [a, b]);
    expect(audit.map((r) => r.entity_id).sort()).toEqual([String(a), String(b)].sort());
    for (const r of audit)
      expect(r).toMatchObject({
        actor: expect.stringMatching(/^token:\d+$/),
        actor_label: expect.stringContaining(p.admin.email),
        detail: { by: p.admin.email, bulk: true },
      });
    await waitFor(
      () => (live.has(a) && live.has(b) ? true : undefined),
      3000,
      'both acknowledgements on the live socket',
    );
    ws.close();

    // Acknowledged ones were not touched again: a retry reports them refused, changes nothing.
    const again = await p.api<Bulk>('/api/exceptions/acknowledge', { method: 'POST', json: { ids: [a] }, as: 'ops' });
    expect(again.body).toMatchObject({
      done: 0,
      refused: 1,
      results: [{ id: a, code: 'INVALID_TRANSITION', current: 'acknowledged' }],
    });
    expect(await auditOf('exception.acknowledge', [a])).toHaveLength(1);
  });

  it('takes the actor from the session, never the body, and refuses roles that may not', async () => {
    const id = seeded.ids[3]!;
    const withName = await p.api<{ error: { code: string } }>('/api/exceptions/acknowledge', {
      method: 'POST',
      json: { ids: [id], by: 'mallory' },
      as: 'ops',
    });
    expect(withName.status).toBe(400);
    expect(withName.body.error.code).toBe('VALIDATION_FAILED');
    expect(
      (await p.api('/api/exceptions/acknowledge', { method: 'POST', json: { ids: [id] }, as: 'viewer' })).status,
    ).toBe(403);
    expect(
      (
        await p.api('/api/exceptions/resolve', {
          method: 'POST',
          json: { ids: [id], disposition: 'accept' },
          as: 'ops',
        })
      ).status,
    ).toBe(403);
    const status = await p.pool.query<{ status: string }>('select status from condition_exceptions where id = $1', [
      id,
    ]);
    expect(status.rows[0]!.status).toBe('open');
  });

  it('refuses an empty list, more than 500 ids, non-integer ids and a missing disposition with 400', async () => {
    const bodies: [string, unknown][] = [
      ['/api/exceptions/acknowledge', { ids: [] }],
      ['/api/exceptions/acknowledge', { ids: Array.from({ length: 501 }, (_, i) => i + 1) }],
      ['/api/exceptions/acknowledge', { ids: ['1'] }],
      ['/api/exceptions/acknowledge', { ids: [1.5] }],
      ['/api/exceptions/acknowledge', {}],
      ['/api/exceptions/resolve', { ids: [1] }],
      ['/api/exceptions/resolve', { ids: [1], disposition: 'burn' }],
    ];
    for (const [url, json] of bodies) {
      const res = await p.api<{ error: { code: string } }>(url, { method: 'POST', json });
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    // 500 is the bound, not a refusal: all unknown here, each reported.
    const max = await p.api<Bulk>('/api/exceptions/acknowledge', {
      method: 'POST',
      json: { ids: Array.from({ length: 500 }, (_, i) => 10_000_000 + i) },
    });
    expect(max.status).toBe(200);
    expect(max.body).toMatchObject({ done: 0, refused: 500 });
  });

  it('resolves through the single resolve path (alert, audit), as the principal, reporting what it refused', async () => {
    const [open, acked, done] = [seeded.ids[10]!, seeded.ids[11]!, seeded.ids[12]!];
    await p.api(`/api/exceptions/${acked}/acknowledge`, { method: 'POST', json: {} });
    await p.api(`/api/exceptions/${done}/resolve`, {
      method: 'POST',
      json: { disposition: 'write_off' },
      as: 'fulfillment',
    });

    const res = await p.api<Bulk>('/api/exceptions/resolve', {
      // accept: the seeded samples never shipped, so the lifecycle refuses a claim or a reship for them.
      method: 'POST',
      json: { ids: [open, acked, done, 999_998], disposition: 'accept', note: 'crushed; claim 77' },
      as: 'fulfillment',
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { id: open, outcome: 'done' },
      { id: acked, outcome: 'done' },
      { id: done, outcome: 'refused', code: 'INVALID_TRANSITION', current: 'resolved', reason: expect.any(String) },
      { id: 999_998, outcome: 'refused', code: 'NOT_FOUND', reason: expect.any(String) },
    ]);
    expect(res.body).toMatchObject({ done: 2, refused: 2 });
    const { rows } = await p.pool.query<{
      id: number;
      status: string;
      resolved_by: string;
      disposition: string;
      resolution_note: string;
    }>(
      'select id, status, resolved_by, disposition, resolution_note from condition_exceptions where id = any($1) order by id',
      [[open, acked]],
    );
    for (const r of rows) {
      expect(r).toMatchObject({
        status: 'resolved',
        resolved_by: p.admin.email,
        disposition: 'accept',
        resolution_note: 'crushed; claim 77',
      });
    }
    // The single resolve's own effects, once per exception: the closing alert and the audit row.
    const alerts = await p.pool.query<{ exception_id: number }>(
      `select exception_id from alerts where kind = 'resolved' and exception_id = any($1)`,
      [[open, acked]],
    );
    expect(alerts.rows.map((r) => r.exception_id).sort()).toEqual([open, acked].sort());
    const audit = await auditOf('exception.resolve', [open, acked]);
    expect(audit).toHaveLength(2);
    for (const r of audit)
      expect(r).toMatchObject({
        actor: expect.stringMatching(/^token:\d+$/),
        detail: { by: p.admin.email, disposition: 'accept' },
      });
    // The one refused was left as it was.
    const kept = await p.pool.query<{ disposition: string }>(
      'select disposition from condition_exceptions where id = $1',
      [done],
    );
    expect(kept.rows[0]!.disposition).toBe('write_off');
  });
});

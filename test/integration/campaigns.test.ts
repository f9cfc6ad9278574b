import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type As, type TestPlatform } from '../support/platform.ts';
import { DAY, MIA, dispatch, label, programApi, type Sample } from './sample-program.support.ts';

/** Campaigns as records (issue 12): written by ops and admins, audited, and their policy in force. */

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  await api.product('CMP-1', { unitCostCents: 1200, inventoryOnHand: 50 });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

interface Campaign {
  id: string;
  name: string;
  briefMd: string;
  skus: string[];
  deliverables: unknown[];
  usageRights: Record<string, unknown>;
  approvalPolicy: Record<string, unknown>;
  postingWindowDays: number | null;
  archivedAt: string | null;
  sampleCounts?: { samples: number; sent: number; posted: number };
}
interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}
const path = (id: string) => `/api/campaigns/${encodeURIComponent(id)}`;
const create = (json: Record<string, unknown>, as: As = MIA) =>
  p.api<Campaign & ErrorBody>('/api/campaigns', { method: 'POST', json, as });
const patch = (id: string, json: Record<string, unknown>, as: As = MIA) =>
  p.api<Campaign & ErrorBody>(path(id), { method: 'PATCH', json, as });
const audit = async (id: string) =>
  (
    await api.call<{ entries: { action: string; actorLabel: string; detail: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?entity=${encodeURIComponent(`campaign:${id}`)}`,
      undefined,
      200,
    )
  ).entries;

describe('campaign records through the API', () => {
  it('creates a campaign with its terms, defaults for what was left out, audited under the caller', async () => {
    const res = await create({
      id: 'summer glow',
      name: 'Summer Glow',
      startsOn: '2026-06-01',
      endsOn: '2026-07-31',
      skus: ['CMP-1'],
      briefMd: '# Brief\n\nShow the **glow**.',
      deliverables: [
        { kind: 'video', count: 1, keepUpDays: 3 },
        { kind: 'raw_footage', count: 1 },
      ],
      usageRights: { organicRepost: true, durationDays: 90 },
      bucket: 'affiliate',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: 'summer glow',
      extensionRule: 'on_request',
      guidelinesMd: '',
      usageRights: { organicRepost: true, paidUsage: false, whitelisting: false, durationDays: 90 },
      approvalPolicy: {},
      archivedAt: null,
    });
    // The id holds a space (legacy keys do): it is URL-encoded in the path.
    expect((await api.call<Campaign>('GET', path('summer glow'), undefined, 200)).name).toBe('Summer Glow');
    const [entry] = await audit('summer glow');
    expect(entry).toMatchObject({ action: 'campaign.create', actorLabel: expect.stringContaining('mia@test.local') });
    expect((await create({ id: 'summer glow', name: 'Again' })).body.error.code).toBe('ALREADY_EXISTS');
  });

  it('edits some fields (never the id), the audit row holding only what changed', async () => {
    const res = await patch('summer glow', { briefMd: 'New brief', postingWindowDays: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'summer glow', briefMd: 'New brief', postingWindowDays: 10, skus: ['CMP-1'] });
    const [entry] = await audit('summer glow');
    expect(entry).toMatchObject({
      action: 'campaign.update',
      actorLabel: expect.stringContaining('mia@test.local'),
      detail: {
        before: { briefMd: '# Brief\n\nShow the **glow**.', postingWindowDays: null },
        after: { briefMd: 'New brief', postingWindowDays: 10 },
      },
    });
    expect(Object.keys(entry!.detail.after as object).sort()).toEqual(['briefMd', 'postingWindowDays']);
    expect((await patch('summer glow', { id: 'other' })).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('archives: out of the list unless archived=true, audited, and back again', async () => {
    const list = async (q = '') =>
      (await api.call<{ campaigns: Campaign[] }>('GET', `/api/campaigns${q}`, undefined, 200, 'viewer')).campaigns;
    expect((await list()).map((c) => c.id)).toContain('summer glow');
    const archived = await api.call<Campaign>('POST', `${path('summer glow')}/archive`, undefined, 200, 'ops');
    expect(archived.archivedAt).not.toBeNull();
    expect((await list()).map((c) => c.id)).not.toContain('summer glow');
    expect((await list('?archived=true')).map((c) => c.id)).toContain('summer glow');
    expect((await audit('summer glow'))[0]).toMatchObject({ action: 'campaign.archive' });
    await api.call('POST', `${path('summer glow')}/unarchive`, undefined, 200, 'admin');
    expect((await list()).map((c) => c.id)).toContain('summer glow');
  });

  it('refuses invalid fields with 400 VALIDATION_FAILED, and an unknown SKU', async () => {
    for (const body of [
      { id: 'bad-1', name: 'x', startsOn: '2026-05-10', endsOn: '2026-05-01' },
      { id: 'bad-2', name: 'x', deliverables: [{ kind: 'tweet', count: 1 }] },
      { id: 'bad-3', name: 'x', deliverables: [{ kind: 'video', count: 0 }] },
      { id: 'bad-4', name: 'x', postingWindowDays: 400 },
      { id: 'bad-5', name: 'x', approvalPolicy: { noSuchRule: 1 } },
      { id: 'bad-6', name: 'x', bucket: 'barter' },
      { id: ' ', name: 'x' },
    ]) {
      const res = await create(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const unknown = await create({ id: 'bad-sku', name: 'x', skus: ['CMP-1', 'NOPE-9'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { skus: ['NOPE-9'] } });
    expect((await patch('summer glow', { skus: ['NOPE-9'] })).status).toBe(400);
    // A patch that moves the end before the stored start is refused too.
    expect((await patch('summer glow', { endsOn: '2026-05-01' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await p.api(path('bad-sku'))).status).toBe(404);
  });

  it('lets a viewer read but not write', async () => {
    expect((await create({ id: 'viewer-made', name: 'x' }, 'viewer')).status).toBe(403);
    expect((await patch('summer glow', { name: 'x' }, 'viewer')).status).toBe(403);
    expect((await p.api(`${path('summer glow')}/archive`, { method: 'POST', as: 'viewer' })).status).toBe(403);
    expect((await p.api(path('summer glow'), { as: 'viewer' })).status).toBe(200);
  });
});

describe("a campaign's policy in force", () => {
  it("decides a request under its campaign's approval changes, not another campaign's", async () => {
    await create({ id: 'strict-drop', name: 'Strict drop', approvalPolicy: { autoApproveUnitCostUnderCents: 500 } });
    await create({ id: 'easy-drop', name: 'Easy drop' });
    await api.creator('@cmp.strict');
    await api.creator('@cmp.easy');
    const strict = await api.request({ creator: '@cmp.strict', sku: 'CMP-1', campaign: 'strict-drop' });
    expect(strict.decision).toMatchObject({ decision: 'needs_approver', rule: 'expensive_sku' });
    const easy = await api.request({ creator: '@cmp.easy', sku: 'CMP-1', campaign: 'easy-drop' });
    expect(easy.decision).toMatchObject({ decision: 'approved', rule: 'auto_approve_low_risk' });
    const counts = (await api.call<{ campaigns: Campaign[] }>('GET', '/api/campaigns', undefined, 200)).campaigns.find(
      (c) => c.id === 'easy-drop',
    )!.sampleCounts;
    expect(counts).toEqual({ samples: 1, sent: 0, posted: 0 });
  });

  it("shows the content due date under the campaign's posting window, on the sample and its timeline", async () => {
    await create({ id: 'quick-post', name: 'Quick post', postingWindowDays: 5 });
    const receivedAt = Date.now() - 2 * DAY;
    const due: Record<string, string> = {};
    for (const [campaign, handle] of [
      ['quick-post', '@cmp.quick'],
      ['easy-drop', '@cmp.default'],
    ] as const) {
      await api.creator(handle);
      const { sample } = await api.request({ creator: handle, sku: 'CMP-1', campaign }, 201, MIA);
      await api.event(sample.id, label(`1ZCMP${campaign.length}`));
      await api.event(sample.id, {
        ...dispatch,
        data: { ...dispatch.data, packedItems: [{ skuId: 'CMP-1', quantity: 1 }] },
      });
      await api.event(sample.id, {
        type: 'deliver',
        data: { receivedAt: new Date(receivedAt).toISOString(), evidence: 'courier' },
      });
      await api.event(sample.id, { type: 'confirm_receipt', data: {} });
      const shown = await api.call<Sample>('GET', `/api/samples/${sample.id}`, undefined, 200);
      const timeline = await api.call<{ contentClock: { dueAt: string } }>(
        'GET',
        `/api/samples/${sample.id}/timeline`,
        undefined,
        200,
      );
      expect(timeline.contentClock.dueAt).toBe(shown.contentDueAt);
      due[campaign] = shown.contentDueAt as string;
    }
    expect(due['quick-post']).toBe(new Date(receivedAt + 5 * DAY).toISOString());
    expect(due['easy-drop']).toBe(new Date(receivedAt + 14 * DAY).toISOString());
  });
});

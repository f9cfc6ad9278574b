import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, programApi } from './sample-program.support.ts';

/** The APIs behind the program pages: creator CSV import, merging duplicates, the follow-up work queue. */
let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  await api.product('WQ-1', { inventoryOnHand: 100 });
});
afterAll(async () => {
  await p?.close();
});

interface Creator {
  id: string;
  handle: string;
  otherHandles: string[];
  displayName: string | null;
  contact: Record<string, string>;
  addresses: { line1: string; city: string; postalCode: string; country: string }[];
  notes: string | null;
  standing: string;
  standingReason: string | null;
  history: { samplesRequested: number };
}
interface ImportReport {
  preview: boolean;
  valid: boolean;
  created: number;
  updated: number;
  refused: number;
  rows: {
    line: number;
    handle: string | null;
    action: string | null;
    creatorId: string | null;
    changes: string[];
    errors: string[];
  }[];
}
interface AuditEntry {
  actor: string;
  action: string;
  entityId: string;
  detail: Record<string, unknown>;
}

const postCsv = async (csv: string, query = '') =>
  fetch(`${p.httpUrl}/api/creators/import${query}`, {
    method: 'POST',
    headers: { ...(await p.authHeaders()), 'content-type': 'text/csv' },
    body: csv,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const creatorCount = async () =>
  (await p.db.pool.query<{ n: number }>('select count(*)::int as n from creators')).rows[0]!.n;
const getCreator = (ref: string) =>
  api.call<Creator>('GET', `/api/creators/${encodeURIComponent(ref)}`, undefined, 200);
const audit = async (entity: string) =>
  (await api.call<{ entries: AuditEntry[] }>('GET', `/api/audit?entity=${entity}`, undefined, 200)).entries;

describe('creator CSV import', () => {
  const HEADER = 'handle,display_name,email,phone,line1,line2,city,region,postal_code,country,standing,notes';

  it('a preview reports each row (new, existing → update, bad) and writes nothing', async () => {
    const existing = await api.creator('@csv.old', { displayName: 'Old Name', contact: { email: 'old@x.test' } });
    const before = await creatorCount();
    const csv = [
      HEADER,
      '@csv.new,New One,new@x.test,,1 Main St,,Leeds,,LS1 1AA,gb,,likes lamps',
      '@CSV.OLD,,,+44 20 1,,,,,,,,',
      '@csv.new,Again,,,,,,,,,,', // twice in the file
      '@csv.bad,,not-an-email,,2 High St,,York,,,GB,,', // bad email, address without postcode
      '@csv.short,Too few',
    ].join('\n');
    const res = await postCsv(csv, '?preview=true');
    expect(res.status).toBe(200);
    const report = res.body as unknown as ImportReport;
    expect(report).toMatchObject({ preview: true, valid: false, created: 1, updated: 1, refused: 3 });
    expect(report.rows.map((r) => [r.line, r.action, r.creatorId])).toEqual([
      [2, 'create', null],
      [3, 'update', existing.id],
      [4, null, null],
      [5, null, null],
      [6, null, null],
    ]);
    expect(report.rows[1]!.changes).toEqual(['contact']);
    expect(report.rows[2]!.errors).toEqual(['handle: @csv.new is also on line 2']);
    expect(report.rows[3]!.errors).toEqual([
      expect.stringMatching(/^email: /),
      'postal_code: is required with an address',
    ]);
    expect(report.rows[4]!.errors).toEqual(['2 fields, header has 12']);
    expect(await creatorCount()).toBe(before);
    expect((await getCreator(existing.id)).contact).toEqual({ email: 'old@x.test' });
  });

  it('an import with a bad row refuses the whole file; the corrected file creates and updates, audited', async () => {
    const before = await creatorCount();
    const bad = await postCsv(`${HEADER}\n@csv.two,,,,,,,,,,,\n@csv.three,,,,,,,,,,banned,\n`);
    expect(bad.status).toBe(400);
    const error = bad.body.error as { code: string; details: { refusedRows: { line: number; errors: string[] }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.refusedRows).toEqual([{ line: 3, errors: [expect.stringMatching(/^standing: /)] }]);
    expect(await creatorCount()).toBe(before);

    const ok = await postCsv(
      [
        HEADER,
        '@csv.two,Two,two@x.test,,"1 Main St, Flat 2",,Leeds,,LS1 1AA,GB,watch,"met at ""expo"""',
        '@csv.old,,,+44 20 1,,,,,,,,',
      ].join('\r\n'),
    );
    expect(ok.status).toBe(200);
    const report = ok.body as unknown as ImportReport;
    expect(report).toMatchObject({ preview: false, valid: true, created: 1, updated: 1, refused: 0 });
    const two = await getCreator('@csv.two');
    expect(two).toMatchObject({
      id: report.rows[0]!.creatorId,
      displayName: 'Two',
      contact: { email: 'two@x.test' },
      addresses: [{ line1: '1 Main St, Flat 2', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' }],
      standing: 'watch',
      notes: 'met at "expo"',
    });
    // Empty cells keep what is stored: the display name and email stay, the phone is added.
    const old = await getCreator('@csv.old');
    expect(old).toMatchObject({ displayName: 'Old Name', contact: { email: 'old@x.test', phone: '+44 20 1' } });

    const created = await audit(`creator:${two.id}`);
    expect(created).toEqual([
      expect.objectContaining({ action: 'creator.create', actor: expect.stringMatching(/^token:/) }),
    ]);
    expect((await audit(`creator:${old.id}`))[0]).toMatchObject({
      action: 'creator.update',
      detail: { via: 'csv_import', line: 3, changes: ['contact'] },
    });
  });

  it('a header with an unknown column is refused (its data would be dropped)', async () => {
    const res = await postCsv('handle,postcode\n@csv.x,LS1\n', '?preview=true');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { unknown: ['postcode'] } });
  });

  it('is for ops and admins', async () => {
    const res = await fetch(`${p.httpUrl}/api/creators/import?preview=true`, {
      method: 'POST',
      headers: { ...(await p.authHeaders('viewer')), 'content-type': 'text/csv' },
      body: 'handle\n@csv.v\n',
    });
    expect(res.status).toBe(403);
  });
});

describe('merging duplicate creators', () => {
  it("moves the duplicate's samples, handles, contact and addresses into the kept record, audited", async () => {
    const kept = await api.creator('@merge.keep', {
      contact: { email: 'keep@x.test' },
      addresses: [{ line1: '1 Main St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' }],
    });
    const dup = await api.creator('@merge.dup', {
      otherHandles: ['@merge.dup.old'],
      contact: { email: 'dup@x.test', phone: '+44 1' },
      addresses: [{ line1: '9 Mill Rd', city: 'York', postalCode: 'YO1 2BB', country: 'GB' }],
      standing: 'watch',
    });
    const { sample } = await api.request({ creator: '@merge.dup', sku: 'WQ-1', campaign: 'merge' });

    const merged = await api.call<{ creator: Creator; duplicateId: string; samplesMoved: number }>(
      'POST',
      `/api/creators/${kept.id}/merge`,
      { duplicateId: dup.id },
      200,
    );
    expect(merged.samplesMoved).toBe(1);
    expect(merged.creator).toMatchObject({
      id: kept.id,
      handle: '@merge.keep',
      otherHandles: ['@merge.dup', '@merge.dup.old'],
      contact: { email: 'keep@x.test', phone: '+44 1' },
      addresses: [{ line1: '1 Main St' }, { line1: '9 Mill Rd' }],
      standing: 'watch',
      history: { samplesRequested: 1 },
    });

    const moved = await api.call<{ creatorId: string; creator: string }>(
      'GET',
      `/api/samples/${sample.id}`,
      undefined,
      200,
    );
    expect(moved).toMatchObject({ creatorId: kept.id, creator: '@merge.keep' });
    const { rows } = await p.db.pool.query<{ id: string | null }>(
      "select state->'request'->>'creatorId' as id from samples where id = $1",
      [sample.id],
    );
    expect(rows[0]?.id).toBe(kept.id);

    // The duplicate's id and handles answer with the kept record; lists no longer show it.
    expect((await getCreator(dup.id)).id).toBe(kept.id);
    expect((await getCreator('@merge.dup.old')).id).toBe(kept.id);
    const list = await api.call<{ creators: { id: string }[] }>(
      'GET',
      '/api/creators?q=merge&limit=1000',
      undefined,
      200,
    );
    expect(list.creators.map((c) => c.id)).toEqual([kept.id]);

    const [entry] = await audit(`creator:${kept.id}`);
    expect(entry).toMatchObject({
      action: 'creator.merge',
      actor: expect.stringMatching(/^token:/),
      detail: {
        duplicateId: dup.id,
        before: { otherHandles: [], standing: 'active', contactFields: ['email'], addresses: 1 },
        after: {
          otherHandles: ['@merge.dup', '@merge.dup.old'],
          standing: 'watch',
          contactFields: ['email', 'phone'],
          addresses: 2,
        },
        samplesMoved: 1,
      },
    });
    expect((await audit(`creator:${dup.id}`))[0]).toMatchObject({
      action: 'creator.merged_into',
      detail: { mergedInto: kept.id },
    });
  });

  it('refuses merging into itself, into a merged record, or a merged record again (409)', async () => {
    const a = await api.creator('@merge.a');
    const b = await api.creator('@merge.b');
    const c = await api.creator('@merge.c');
    await api.call('POST', `/api/creators/${a.id}/merge`, { duplicateId: a.id }, 409);
    await api.call('POST', `/api/creators/${a.id}/merge`, { duplicateId: b.id }, 200);
    const again = await api.call<{ error: { code: string; details: Record<string, unknown> } }>(
      'POST',
      `/api/creators/${c.id}/merge`,
      { duplicateId: b.id },
      409,
    );
    expect(again.error).toMatchObject({ code: 'CONFLICT', details: { id: b.id, mergedInto: a.id } });
    await api.call('POST', `/api/creators/${b.id}/merge`, { duplicateId: c.id }, 409);
    await api.call('POST', `/api/creators/${a.id}/merge`, { duplicateId: 'CRT-999999' }, 404);
  });
});

interface Task {
  id: number;
  sampleId: string;
  action: string;
  audience: string;
  ownerId: number | null;
  ownerName: string | null;
  dueAt: string;
  doneAt: string | null;
  doneBy: number | null;
  note: string | null;
  sample: { creator: string; sku: string };
}

describe('the follow-up work queue', () => {
  const tasks = async (query: string) =>
    (await api.call<{ tasks: Task[] }>('GET', `/api/follow-up-tasks?${query}`, undefined, 200)).tasks;

  it('a human follow-up opens a task that is assigned, completed by the signed-in user and audited', async () => {
    await api.creator('@queue.one');
    const { sample } = await api.request({ creator: '@queue.one', sku: 'WQ-1', campaign: 'queue' });
    const approvedAt = Date.now();
    // Not shipped within 7 days of approval: escalate_shipping_delay, addressed to ops.
    const now = new Date(approvedAt + 8 * DAY);
    await new FollowUpScheduler(p.db.pool).runOnce(now);
    await new FollowUpScheduler(p.db.pool).runOnce(now);

    const open = (await tasks('status=open&owner=unassigned&limit=1000')).filter((t) => t.sampleId === sample.id);
    expect(open).toEqual([
      expect.objectContaining({
        action: 'escalate_shipping_delay',
        audience: 'ops',
        ownerId: null,
        doneAt: null,
        sample: expect.objectContaining({ creator: '@queue.one', sku: 'WQ-1' }),
      }),
    ]);
    const task = open[0]!;

    const ola = await api.call<{ id: number }>(
      'POST',
      '/api/users',
      { email: 'ola@test.local', name: 'Ola Ops', role: 'ops', password: 'a long enough passphrase' },
      201,
    );
    const assigned = await api.call<Task>('PATCH', `/api/follow-up-tasks/${task.id}`, { ownerId: ola.id }, 200);
    expect(assigned).toMatchObject({ ownerId: ola.id, ownerName: 'Ola Ops', doneAt: null });
    expect((await tasks(`owner=${ola.id}`)).map((t) => t.id)).toEqual([task.id]);
    expect((await tasks('owner=unassigned&limit=1000')).map((t) => t.id)).not.toContain(task.id);

    const admin = (await p.services.users.list()).find((u) => u.email === 'admin@test.local')!;
    const done = await api.call<Task>(
      'PATCH',
      `/api/follow-up-tasks/${task.id}`,
      { done: true, note: 'chased the warehouse' },
      200,
    );
    expect(done).toMatchObject({ ownerId: ola.id, doneBy: admin.id, note: 'chased the warehouse' });
    expect(done.doneAt).not.toBeNull();
    expect((await tasks('status=open&limit=1000')).map((t) => t.id)).not.toContain(task.id);
    expect((await tasks('status=done&limit=1000')).map((t) => t.id)).toContain(task.id);

    // Done is history: neither completed again nor reassigned.
    await api.call('PATCH', `/api/follow-up-tasks/${task.id}`, { done: true }, 409);
    await api.call('PATCH', `/api/follow-up-tasks/${task.id}`, { ownerId: null }, 409);

    const entries = await audit(`follow_up_task:${task.id}`);
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['follow_up_task.complete', expect.stringMatching(/^token:/)],
      ['follow_up_task.assign', expect.stringMatching(/^token:/)],
    ]);
    expect(entries[1]!.detail).toMatchObject({ before: { ownerId: null }, after: { ownerId: ola.id } });
  });

  it('lists by due date either way, and refuses a viewer, an unknown owner and an identity in the body', async () => {
    for (const h of ['@queue.two', '@queue.three']) {
      await api.creator(h);
      await api.request({ creator: h, sku: 'WQ-1', campaign: 'queue' });
    }
    await new FollowUpScheduler(p.db.pool).runOnce(new Date(Date.now() + 9 * DAY));
    const soonest = await tasks('status=open&sort=due&limit=1000');
    expect(soonest.length).toBeGreaterThanOrEqual(2);
    const due = soonest.map((t) => t.dueAt);
    expect(due).toEqual([...due].sort());
    expect((await tasks('status=open&sort=-due&limit=1000')).map((t) => t.dueAt)).toEqual([...due].reverse());

    const id = soonest[0]!.id;
    const viewer = await p.api(`/api/follow-up-tasks/${id}`, { method: 'PATCH', json: { done: true }, as: 'viewer' });
    expect(viewer.status).toBe(403);
    await api.call('PATCH', `/api/follow-up-tasks/${id}`, { ownerId: 999999 }, 400);
    await api.call('PATCH', `/api/follow-up-tasks/${id}`, { done: true, doneBy: 1 }, 400);
    await api.call('PATCH', `/api/follow-up-tasks/999999`, { done: true }, 404);
  });
});

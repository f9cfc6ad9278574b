import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, dispatch, label, programApi, type Sample } from './sample-program.support.ts';

/**
 * The content due date on the sample itself: in the record, the list (sortable) and the
 * CSV export, moving with the one extension, and the same instant the timeline shows.
 */

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
const user = { kind: 'user', id: 'ops-ola' };
const ids: string[] = [];
// Received 3, 5 and 1 days ago: due in 11, 9 and 13 days on the default 14-day window.
const RECEIVED_DAYS_AGO = [3, 5, 1];
const NOW = Date.now();

beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  // One creator each: the policy sends a SKU to a creator once per 90 days.
  for (const i of [0, 1, 2, 3]) await api.creator(`@due.dana${i}`);
  await api.product('DUE-SKU', { inventoryOnHand: 20 });
  for (const [i, daysAgo] of RECEIVED_DAYS_AGO.entries()) {
    const { sample } = await api.request({ creator: `@due.dana${i}`, sku: 'DUE-SKU' });
    await api.event(sample.id, label(`1ZDUE${i}`));
    await api.event(sample.id, {
      ...dispatch,
      data: { ...dispatch.data, packedItems: [{ skuId: 'DUE-SKU', quantity: 1 }] },
    });
    const receivedAt = new Date(NOW - daysAgo * DAY).toISOString();
    await api.event(sample.id, { type: 'deliver', actor: user, data: { receivedAt, evidence: 'courier' } });
    await api.event(sample.id, { type: 'confirm_receipt', actor: user, data: {} });
    ids.push(sample.id);
  }
}, 60_000);
afterAll(async () => {
  await p?.close();
});

const due = (daysAgo: number, windowDays: number) => new Date(NOW - daysAgo * DAY + windowDays * DAY).toISOString();
const get = async (id: string) => (await api.call<Sample>('GET', `/api/samples/${id}`, undefined, 200)) as Sample;

describe('content due date on the sample', () => {
  it('is receipt + the posting window, as the timeline says, with no extension', async () => {
    const s = await get(ids[0]!);
    expect(s.contentDueAt).toBe(due(3, 14));
    expect(s.extensionGranted).toBe(false);
    const timeline = await api.call<{ contentClock: { dueAt: string } }>(
      'GET',
      `/api/samples/${ids[0]}/timeline`,
      undefined,
      200,
    );
    expect(timeline.contentClock.dueAt).toBe(s.contentDueAt);
  });

  it('is null before delivery', async () => {
    const { sample } = await api.request({ creator: '@due.dana3', sku: 'DUE-SKU' });
    expect((await get(sample.id)).contentDueAt).toBeNull();
  });

  it('moves a week later with the extension', async () => {
    const { sample } = await api.event(ids[1]!, {
      type: 'grant_extension',
      actor: user,
      reason: 'travelling',
      data: {},
    });
    expect(sample.contentDueAt).toBe(due(5, 21));
    expect(sample.extensionGranted).toBe(true);
    expect((await get(ids[1]!)).contentDueAt).toBe(due(5, 21));
  });

  it('sorts the list by it, soonest first, samples without one last', async () => {
    const { samples } = await api.call<{ samples: Sample[] }>('GET', '/api/samples?sort=contentDue', undefined, 200);
    const dated = samples.filter((s) => s.contentDueAt !== null);
    // ids[0] due in 11 days, ids[2] in 13, ids[1] in 16 (extended).
    expect(dated.map((s) => s.id)).toEqual([ids[0], ids[2], ids[1]]);
    expect(samples.slice(0, 3).map((s) => s.id)).toEqual([ids[0], ids[2], ids[1]]);
    expect(samples.at(-1)!.contentDueAt).toBeNull();
    const byCreated = await api.call<{ samples: Sample[] }>('GET', '/api/samples', undefined, 200);
    expect(byCreated.samples[0]!.contentDueAt).toBeNull(); // the undelivered one, newest
  });

  it('refuses an unknown sort', async () => {
    expect((await p.api('/api/samples?sort=dueDate')).status).toBe(400);
  });

  it('is a column of the samples CSV, with the extension', async () => {
    const res = await p.api<string>('/api/samples.csv');
    expect(res.status).toBe(200);
    const [header, ...lines] = res.body.trim().split(/\r?\n/);
    const cols = header!.split(',');
    const dueCol = cols.indexOf('contentDueAt');
    const extCol = cols.indexOf('extensionGranted');
    expect(dueCol).toBeGreaterThan(-1);
    expect(extCol).toBeGreaterThan(-1);
    const row = lines.map((l) => l.split(',')).find((c) => c[0] === ids[1]);
    expect(row?.[dueCol]).toBe(due(5, 21));
    expect(row?.[extCol]).toBe('true');
  });

  // Last: it changes the policy the tests above rely on.
  it('follows the posting window an admin sets, as the timeline does', async () => {
    const res = await p.api('/api/policy', { method: 'PATCH', json: { followUp: { postingWindowDays: 10 } } });
    expect(res.status).toBe(200);
    const s = await get(ids[0]!);
    expect(s.contentDueAt).toBe(due(3, 10));
    const timeline = await api.call<{ contentClock: { dueAt: string } }>(
      'GET',
      `/api/samples/${ids[0]}/timeline`,
      undefined,
      200,
    );
    expect(timeline.contentClock.dueAt).toBe(s.contentDueAt);
    expect((await get(ids[1]!)).contentDueAt).toBe(due(5, 17)); // 10 + the 7-day extension
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { dispatch, label, LEAD, programApi } from './sample-program.support.ts';

// The smallest valid images of each kind we accept, and things that are not images.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
let n = 0;

beforeAll(async () => {
  p = await startTestPlatform({ PHOTO_MAX_BYTES: '20000', CREATOR_LINK_REQUESTS_PER_MIN: '200' });
  api = programApi(p);
  await api.product('CP-SKU', { unitCostCents: 900, inventoryOnHand: 50 });
  await p.pool.query(
    `insert into campaigns (id, name, brief_md, guidelines_md, usage_rights, extension_rule)
     values ('glow', 'Glow week', '# The idea\nShow your **morning routine**.', 'No competitor products.',
             '{"paidUsage": true, "organicRepost": true, "whitelisting": false, "durationDays": 90}', 'on_request')`,
  );
});
afterAll(() => p?.close());

/** A dispatched sample in campaign `glow` and its creator link (path only, on the test server). */
async function dispatchedSample(campaign = 'glow') {
  const handle = `cp_creator_${++n}`;
  await api.creator(handle, { contact: { email: `${handle}@creators.test` } });
  const { sample } = await api.request({ creator: handle, sku: 'CP-SKU', campaign });
  if (sample.status === 'requested') await api.event(sample.id, { type: 'approve' }, 200, LEAD);
  await api.event(sample.id, label(`CP-TRK-${n}`));
  await api.event(sample.id, dispatch);
  const issued = await p.api<{ url: string }>(`/api/samples/${sample.id}/creator-link`, { method: 'POST' });
  expect(issued.status).toBe(201);
  return { id: sample.id, handle, path: new URL(issued.body.url).pathname };
}

const get = (path: string) => fetch(`${p.httpUrl}${path}`);

/** Posts a page form as a browser would: multipart, the page's form token, same-origin. */
async function submit(path: string, action: string, fields: Record<string, string | string[]>, files: Buffer[] = []) {
  const page = await (await get(path)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const form = new FormData();
  form.set('csrf', csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
  for (const f of files) form.append('photos', new Blob([new Uint8Array(f)]), 'photo.png');
  return fetch(`${p.httpUrl}${path}/${action}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { origin: p.httpUrl },
  });
}

const timeline = async (id: string) =>
  (
    await p.api<{
      status: string;
      transitions: { event: string; actor: { kind: string; id: string }; data: Record<string, unknown> }[];
    }>(`/api/samples/${id}/timeline`)
  ).body;

describe('the creator page', () => {
  it('shows the sample, its tracking and the brief, and nothing staff-only', async () => {
    const s = await dispatchedSample();
    // An internal note on the sample's exception (ops' words) must not reach the creator.
    await api.event(s.id, {
      type: 'report_damage',
      data: { note: 'INTERNAL-NOTE crushed corner', suspectedCause: 'packaging' },
    });
    await api.event(s.id, { type: 'resolve_damage', reason: 'still fine to use', data: {} });
    const res = await get(s.path);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain(`@${s.handle}`);
    expect(html).toContain(`CP-TRK-${n}`);
    expect(html).toContain('<strong>morning routine</strong>');
    expect(html).toContain('No competitor products.');
    expect(html).toContain('use in paid ads');
    // Staff-only: cost ($9.00 / 900 cents), the creator's email, other samples, internal notes.
    expect(html).not.toMatch(/\$9\.00|creators\.test|INTERNAL-NOTE/);
  });

  it('opens only its own sample: another sample’s photo is not found through it', async () => {
    const a = await dispatchedSample();
    const b = await dispatchedSample();
    expect((await submit(b.path, 'receipt', { condition: 'fine' }, [PNG])).status).toBe(303);
    const [photo] = (await p.api<{ id: string }[]>(`/api/samples/${b.id}/photos`)).body;
    expect((await get(`${b.path}/photos/${photo!.id}`)).status).toBe(200);
    expect((await get(`${a.path}/photos/${photo!.id}`)).status).toBe(404);
    const pageA = await (await get(a.path)).text();
    expect(pageA).toContain(a.id);
    expect(pageA).not.toContain(b.id);
    expect(pageA).not.toContain(b.handle);
  });

  it('confirms receipt with a photo: delivered and received by the creator link, photo on the sample', async () => {
    const s = await dispatchedSample();
    const res = await submit(s.path, 'receipt', { condition: 'fine' }, [PNG]);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${s.path}?done=receipt`);
    const t = await timeline(s.id);
    expect(t.status).toBe('content_due');
    const linkActor = t.transitions.at(-1)!.actor;
    expect(linkActor.kind).toBe('creator');
    expect(t.transitions.slice(-2).map((x) => [x.event, x.actor.kind])).toEqual([
      ['deliver', 'creator'],
      ['confirm_receipt', 'creator'],
    ]);
    const photos = (await p.api<{ id: string; contentType: string }[]>(`/api/samples/${s.id}/photos`)).body;
    expect(photos).toHaveLength(1);
    expect(photos[0]!.contentType).toBe('image/png');
    expect(t.transitions.at(-1)!.data.photoIds).toEqual([photos[0]!.id]);
    const bytes = await p.api<string>(`/api/samples/${s.id}/photos/${photos[0]!.id}`);
    expect(bytes.status).toBe(200);
    // Audited as the creator link.
    const audit = await p.pool.query(
      `select actor from audit_log where entity_id = $1 and action = 'sample.transition'`,
      [s.id],
    );
    expect(audit.rows.map((r) => r.actor)).toContain(linkActor.id);
  });

  it('a damaged receipt opens a damage review with the creator’s photo', async () => {
    const s = await dispatchedSample();
    expect((await submit(s.path, 'receipt', { condition: 'wrong_item', note: 'got the blue one' }, [PNG])).status).toBe(
      303,
    );
    const t = await timeline(s.id);
    expect(t.status).toBe('damaged');
    const last = t.transitions.at(-1)!;
    expect(last).toMatchObject({ event: 'report_damage', actor: { kind: 'creator' } });
    expect(last.data).toMatchObject({ condition: 'wrong_item', note: 'got the blue one' });
  });

  it('refuses a non-image and an oversized photo, storing nothing', async () => {
    const s = await dispatchedSample();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const notImage = await submit(s.path, 'receipt', { condition: 'fine' }, [svg]);
    expect(notImage.status).toBe(400);
    expect(await notImage.text()).toContain('is not a photo');
    const big = Buffer.concat([PNG, Buffer.alloc(30_000)]);
    const tooBig = await submit(s.path, 'receipt', { condition: 'fine' }, [big]);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain('over');
    expect((await p.api<unknown[]>(`/api/samples/${s.id}/photos`)).body).toEqual([]);
    expect((await timeline(s.id)).status).toBe('dispatched');
  });

  it('asks for the extension (granted at once by the campaign), submits the post, counted in the KPIs', async () => {
    const s = await dispatchedSample();
    await submit(s.path, 'receipt', { condition: 'fine' });
    const before = (await p.api<{ contentDueAt: string }>(`/api/samples/${s.id}`)).body.contentDueAt;
    expect((await submit(s.path, 'extension', { reason: 'filming trip next week' })).status).toBe(303);
    const t = await timeline(s.id);
    expect(t.transitions.slice(-2).map((x) => [x.event, x.actor.kind])).toEqual([
      ['request_extension', 'creator'],
      ['grant_extension', 'policy'],
    ]);
    expect(
      new Date((await p.api<{ contentDueAt: string }>(`/api/samples/${s.id}`)).body.contentDueAt).getTime(),
    ).toBeGreaterThan(new Date(before).getTime());
    // A second request is refused with a clear message.
    const again = await get(s.path);
    expect(await again.text()).not.toContain('Ask for the extension');

    const url = 'https://www.tiktok.com/@x/video/1234567890';
    expect((await submit(s.path, 'posts', { url: [url, 'https://www.tiktok.com/@x/live/1'] })).status).toBe(303);
    const posted = await timeline(s.id);
    expect(posted.status).toBe('posted');
    expect(posted.transitions.at(-1)).toMatchObject({
      event: 'post',
      actor: { kind: 'creator' },
      data: { postUrl: url, usableForAds: true, otherUrls: ['https://www.tiktok.com/@x/live/1'] },
    });
    // The KPIs count it: the campaign's group has this send posted.
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const kpi = await p.api<{ groups: { key: string | null; kpis: { samplesSent: number; samplesPosted: number } }[] }>(
      `/api/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=campaign`,
    );
    expect(kpi.status).toBe(200);
    const glow = kpi.body.groups.find((g) => g.key === 'glow')!;
    expect(glow.kpis.samplesPosted).toBe(1);
  });

  it('an extension the campaign leaves to a manager waits on the work queue; a campaign without one refuses it', async () => {
    await p.pool.query(
      `insert into campaigns (id, name, extension_rule) values ('ask', 'Ask first', 'approval'), ('strict', 'No extension', 'none')`,
    );
    const asked = await dispatchedSample('ask');
    await submit(asked.path, 'receipt', { condition: 'fine' });
    expect((await submit(asked.path, 'extension', { reason: 'sick this week' })).status).toBe(303);
    const t = await timeline(asked.id);
    expect(t.transitions.at(-1)).toMatchObject({ event: 'request_extension', actor: { kind: 'creator' } });
    expect(t.transitions.some((x) => x.event === 'grant_extension')).toBe(false);
    const tasks = await p.api<{ tasks: { sampleId: string; action: string }[] }>(
      '/api/follow-up-tasks?status=open&limit=1000',
    );
    expect(tasks.body.tasks.filter((x) => x.sampleId === asked.id).map((x) => x.action)).toEqual([
      'review_extension_request',
    ]);
    expect(await (await get(asked.path)).text()).toContain('waiting for a decision');
    // The manager grants it from the sample.
    await api.event(asked.id, { type: 'grant_extension', reason: 'fair', data: {} });
    expect(await (await get(asked.path)).text()).toContain('Your extension was granted.');

    const strict = await dispatchedSample('strict');
    await submit(strict.path, 'receipt', { condition: 'fine' });
    expect(await (await get(strict.path)).text()).not.toContain('Need more time?');
    const refused = await submit(strict.path, 'extension', { reason: 'please' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('allows no extension');
  });

  it('says it cannot post: no_post by the creator with their reason', async () => {
    const s = await dispatchedSample();
    await submit(s.path, 'receipt', { condition: 'fine' });
    expect((await submit(s.path, 'cannot-post', { reason: 'product broke my skin' })).status).toBe(303);
    const t = await timeline(s.id);
    expect(t.status).toBe('no_post');
    expect(t.transitions.at(-1)).toMatchObject({ event: 'mark_no_post', actor: { kind: 'creator' } });
  });

  it('refuses a post URL that is not a web link, a forged form token and a cross-site post', async () => {
    const s = await dispatchedSample();
    await submit(s.path, 'receipt', { condition: 'fine' });
    const bad = await submit(s.path, 'posts', { url: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    const form = new FormData();
    form.set('csrf', 'A'.repeat(43));
    form.set('reason', 'x');
    const forged = await fetch(`${p.httpUrl}${s.path}/cannot-post`, { method: 'POST', body: form, redirect: 'manual' });
    expect(forged.status).toBe(403);
    const page = await (await get(s.path)).text();
    const good = new FormData();
    good.set('csrf', /name="csrf" value="([^"]+)"/.exec(page)![1]!);
    good.set('reason', 'x');
    const crossSite = await fetch(`${p.httpUrl}${s.path}/cannot-post`, {
      method: 'POST',
      body: good,
      redirect: 'manual',
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect((await timeline(s.id)).status).toBe('content_due');
  });

  it('refuses an expired, a revoked, a re-issued and a forged link with a clear page, and audits it', async () => {
    const s = await dispatchedSample();
    const revoked = await p.api(`/api/samples/${s.id}/creator-link`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const gone = await get(s.path);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('no longer active');

    const reissued = await p.api<{ url: string }>(`/api/samples/${s.id}/creator-link`, { method: 'POST' });
    const fresh = new URL(reissued.body.url).pathname;
    expect((await get(fresh)).status).toBe(200);
    const again = await p.api<{ url: string }>(`/api/samples/${s.id}/creator-link`, { method: 'POST' });
    expect((await get(fresh)).status).toBe(410);
    expect((await get(new URL(again.body.url).pathname)).status).toBe(200);

    const [id, exp, sig] = fresh.slice(3).split('.');
    const forged = await get(`/c/${id}.${(parseInt(exp!, 36) + 86400 * 365).toString(36)}.${sig}`);
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('does not work');

    await p.pool.query(
      `update creator_links set expires_at = now() - interval '1 minute' where sample_id = $1 and revoked_at is null`,
      [s.id],
    );
    // The token still carries its own (future) expiry; the row's is what was cut short.
    const expired = await get(new URL(again.body.url).pathname);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');

    const audit = await p.pool.query<{ action: string }>(
      `select action from audit_log where entity_id = $1 and action like 'creator_link.%' order by id`,
      [s.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'creator_link.issue',
      'creator_link.revoke',
      'creator_link.issue',
      'creator_link.reissue',
    ]);
  });

  it('only the program roles see or issue the link; readers see photos', async () => {
    const s = await dispatchedSample();
    expect((await p.api(`/api/samples/${s.id}/creator-link`, { as: 'viewer' })).status).toBe(403);
    expect((await p.api(`/api/samples/${s.id}/creator-link`, { method: 'POST', as: 'viewer' })).status).toBe(403);
    expect((await p.api(`/api/samples/${s.id}/photos`, { as: 'viewer' })).status).toBe(200);
    expect((await get(`${s.path}x`)).status).toBe(404);
  });
});

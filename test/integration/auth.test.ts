import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.close());

type Err = { error: { code: string; message: string } };

async function login(email: string, password: string) {
  const res = await fetch(`${p.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: (await res.json()) as unknown, cookie: res.headers.get('set-cookie') };
}
const cookieOf = (setCookie: string | null) => setCookie!.split(';')[0]!;

async function withCookie(
  cookie: string,
  path: string,
  init: { method?: string; json?: unknown; csrf?: boolean } = {},
) {
  const res = await fetch(p.httpUrl + path, {
    method: init.method ?? 'GET',
    headers: {
      cookie,
      ...(init.csrf ? { 'x-requested-with': 'sampletrack' } : {}),
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as unknown };
}

function openLive(headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${p.httpUrl.replace('http', 'ws')}/api/live`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (req, res) => {
      // Refused before the upgrade: an HTTP answer on a socket ws leaves to us to end.
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => resolve(0));
  });
}

describe('sign-in with a session cookie', () => {
  it('signs the first admin in: httpOnly SameSite=Lax cookie, /me, sign out ends the session', async () => {
    const res = await login(p.admin.email, p.admin.password);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: p.admin.email, role: 'admin', via: 'session' });
    expect(res.cookie).toMatch(/^st_session=ss_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const cookie = cookieOf(res.cookie);
    expect((await withCookie(cookie, '/api/auth/me')).body).toMatchObject({ email: p.admin.email, via: 'session' });

    expect((await withCookie(cookie, '/api/auth/logout', { method: 'POST', csrf: true })).status).toBe(204);
    expect((await withCookie(cookie, '/api/auth/me')).status).toBe(401);
  });

  it('answers a wrong password and an unknown email alike, then rate-limits the account', async () => {
    await p.api('/api/users', {
      method: 'POST',
      json: { email: 'kim@ops.test', name: 'Kim', role: 'ops', password: 'correct horse battery' },
    });
    const wrong = await login('kim@ops.test', 'not the password');
    const unknown = await login('nobody@ops.test', 'not the password');
    expect(wrong).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', message: 'email or password is wrong' } },
    });
    expect(unknown.body).toEqual(wrong.body);
    for (let i = 0; i < 4; i++) await login('kim@ops.test', `guess ${i}`);
    const limited = await login('kim@ops.test', 'correct horse battery');
    expect(limited.status).toBe(429);
    expect((limited.body as Err).error.code).toBe('RATE_LIMITED');
  });

  it('refuses a cookie-authenticated change without the CSRF header; a token needs none', async () => {
    const cookie = cookieOf((await login(p.admin.email, p.admin.password)).cookie);
    const bare = await withCookie(cookie, '/api/devices', { method: 'POST', json: {} });
    expect(bare.status).toBe(403);
    expect((bare.body as Err).error.message).toContain('x-requested-with');
    expect((await withCookie(cookie, '/api/devices', { method: 'POST', json: {}, csrf: true })).status).toBe(201);
    expect((await withCookie(cookie, '/api/devices')).status).toBe(200);
    expect((await p.api('/api/devices', { method: 'POST', json: {} })).status).toBe(201);
  });
});

describe('the live WebSocket requires the same sign-in', () => {
  it('refuses no credentials, a revoked token and a cookie from another origin; accepts a token and a same-origin cookie', async () => {
    expect(await openLive({})).toBe(401);
    expect(await openLive({ authorization: 'Bearer st_nope' })).toBe(401);
    expect(await openLive(await p.authHeaders('viewer'))).toBe('open');
    const cookie = cookieOf((await login(p.admin.email, p.admin.password)).cookie);
    const host = new URL(p.httpUrl).host;
    expect(await openLive({ cookie, origin: `http://${host}` })).toBe('open');
    expect(await openLive({ cookie, origin: 'http://evil.example' })).toBe(403);
  });
});

describe('API tokens', () => {
  it('is shown once, scoped to a role no higher than its owner, revocable', async () => {
    await p.api('/api/users', {
      method: 'POST',
      json: { email: 'sam@ful.test', name: 'Sam', role: 'fulfillment', password: 'sam password 123' },
    });
    const cookie = cookieOf((await login('sam@ful.test', 'sam password 123')).cookie);
    const tooHigh = await withCookie(cookie, '/api/tokens', {
      method: 'POST',
      csrf: true,
      json: { name: 'x', role: 'ops' },
    });
    expect(tooHigh.status).toBe(403);
    const made = await withCookie(cookie, '/api/tokens', {
      method: 'POST',
      csrf: true,
      json: { name: 'laptop', role: 'viewer' },
    });
    expect(made.status).toBe(201);
    const { id, token } = made.body as { id: number; token: string };
    expect(token).toMatch(/^st_/);
    const asToken = { authorization: `Bearer ${token}` };
    expect(await fetch(`${p.httpUrl}/api/auth/me`, { headers: asToken }).then((r) => r.json())).toMatchObject({
      role: 'viewer',
      via: 'token',
      tokenId: id,
    });
    // Viewer scope: reading works, acting does not, though Sam could act.
    expect((await fetch(`${p.httpUrl}/api/exceptions`, { headers: asToken })).status).toBe(200);
    expect(
      (await fetch(`${p.httpUrl}/api/exceptions/1/acknowledge`, { method: 'POST', headers: asToken })).status,
    ).toBe(403);
    // Sam sees only Sam's tokens and never the secret again.
    const listed = (await withCookie(cookie, '/api/tokens')).body as { tokens: { id: number; userEmail: string }[] };
    expect(listed.tokens.map((t) => t.userEmail)).toEqual(['sam@ful.test']);
    expect(JSON.stringify(listed)).not.toContain(token);

    expect((await withCookie(cookie, `/api/tokens/${id}`, { method: 'DELETE', csrf: true })).status).toBe(204);
    expect((await fetch(`${p.httpUrl}/api/auth/me`, { headers: asToken })).status).toBe(401);
  });

  it('stops working, with every session, when its owner is disabled', async () => {
    const user = await p.api<{ id: number }>('/api/users', {
      method: 'POST',
      json: { email: 'vic@view.test', name: 'Vic', role: 'viewer', password: 'vic password 123' },
    });
    const cookie = cookieOf((await login('vic@view.test', 'vic password 123')).cookie);
    const token = (
      (await withCookie(cookie, '/api/tokens', { method: 'POST', csrf: true, json: { name: 't', role: 'viewer' } }))
        .body as { token: string }
    ).token;
    expect((await p.api(`/api/users/${user.body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await withCookie(cookie, '/api/auth/me')).status).toBe(401);
    expect((await fetch(`${p.httpUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
    expect((await login('vic@view.test', 'vic password 123')).status).toBe(401);
  });

  it('will not disable or demote the last admin', async () => {
    const me = await p.api<{ id: number }>('/api/auth/me');
    const res = await p.api<Err>(`/api/users/${me.body.id}`, { method: 'PATCH', json: { role: 'viewer' } });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
  });
});

describe("creators' addresses and phones", () => {
  it('are shown to ops and admin, redacted for fulfillment and viewers', async () => {
    const created = await p.api<{ id: string }>('/api/creators', {
      method: 'POST',
      json: {
        handle: '@pii.test',
        contact: { email: 'pii@x.io', phone: '+1 555 0199', dm: '@pii' },
        addresses: [{ line1: '9 Elm St', city: 'Austin', region: 'TX', postalCode: '78701', country: 'US' }],
      },
    });
    expect(created.status).toBe(201);
    const ops = await p.api<{ contact: object }>(`/api/creators/${created.body.id}`, { as: 'ops' });
    expect(ops.body.contact).toEqual({ email: 'pii@x.io', phone: '+1 555 0199', dm: '@pii' });
    for (const as of ['fulfillment', 'viewer'] as const) {
      const one = await p.api(`/api/creators/${created.body.id}`, { as });
      const list = await p.api('/api/creators?q=pii.test', { as });
      expect(JSON.stringify([one.body, list.body])).not.toMatch(/9 Elm|78701|555 0199|pii@x\.io/);
      expect(one.body).toMatchObject({ piiRedacted: true, addresses: [{ city: 'Austin', country: 'US' }] });
    }
  });
});

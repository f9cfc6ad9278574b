import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type As, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.close());

interface Entry {
  actor: string;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  detail: Record<string, unknown>;
  ip: string | null;
}
const audit = async (q: string) => (await p.api<{ entries: Entry[] }>(`/api/audit?${q}`)).body.entries;
const tokenActor = async (as: As) => `token:${(await p.api<{ tokenId: number }>('/api/auth/me', { as })).body.tokenId}`;

describe('audit log: who changed what and when, written with the change', () => {
  it('records device provisioning and each sample transition under the signed-in identity', async () => {
    const ops = await tokenActor('ops');
    await p.product('AUD-1', { unitCostCents: 9900 });
    const device = await p.api<{ id: string }>('/api/devices', {
      method: 'POST',
      json: { label: 'audited' },
      as: 'ops',
    });
    expect(await audit(`entity=device:${device.body.id}`)).toEqual([
      expect.objectContaining({
        actor: ops,
        action: 'device.provision',
        detail: { label: 'audited' },
        ip: expect.any(String),
      }),
    ]);

    const sample = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: '@audit.me', sku: 'AUD-1' },
      as: 'ops',
    });
    const ful = await tokenActor('fulfillment');
    const rejected = await p.api(`/api/samples/${sample.body.id}/events`, {
      method: 'POST',
      json: { type: 'reject', reason: 'not a fit' },
      as: 'fulfillment',
    });
    expect(rejected.status).toBe(200);
    // A refused transition leaves no audit row behind: it is in the same transaction.
    const refused = await p.api(`/api/samples/${sample.body.id}/events`, {
      method: 'POST',
      json: { type: 'dispatch' },
      as: 'fulfillment',
    });
    expect(refused.status).toBe(409);

    const entries = await audit(`entity=sample:${sample.body.id}`);
    expect(entries.map((e) => [e.actor, e.action, e.detail.event, e.detail.to])).toEqual([
      [ful, 'sample.transition', 'reject', 'rejected'],
      [ops, 'sample.transition', 'request', 'requested'],
    ]);
    // The body no longer names the actor: the signed-in user (the token's owner) does.
    expect(entries[0]!.detail.actor).toEqual({ kind: 'user', id: p.admin.email });
    expect((await audit(`actor=${ful}`)).map((e) => e.entityId)).toEqual([sample.body.id]);
  });

  it('records user and token changes, never a password or a token', async () => {
    const admin = await tokenActor('admin');
    const user = await p.api<{ id: number }>('/api/users', {
      method: 'POST',
      json: { email: 'lee@ops.test', name: 'Lee', role: 'ops', password: 'lee password 1234' },
    });
    await p.api(`/api/users/${user.body.id}`, {
      method: 'PATCH',
      json: { role: 'viewer', password: 'lee password 5678' },
    });
    const entries = await audit(`entity=user:${user.body.id}`);
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      [admin, 'user.update'],
      [admin, 'user.create'],
    ]);
    expect(entries[0]!.detail).toMatchObject({
      before: { role: 'ops' },
      after: { role: 'viewer' },
      passwordChanged: true,
    });
    expect(JSON.stringify(await audit('limit=1000'))).not.toMatch(/password \d{4}|scrypt\$|st_[\w-]{20}/);
  });

  it('is for admins only', async () => {
    expect((await p.api('/api/audit', { as: 'ops' })).status).toBe(403);
  });
});

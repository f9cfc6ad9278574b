import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { PolicyService } from '../../core/services/policy.service.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, dispatch, label, programApi } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
});
afterAll(async () => {
  await p?.close();
});

interface Policy {
  approval: Record<string, unknown>;
  followUp: Record<string, unknown>;
  version: number;
  updatedBy: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const policy = () => api.call<Policy>('GET', '/api/policy', undefined, 200);
const patch = (body: Record<string, unknown>, as: 'admin' | 'ops' = 'admin') =>
  p.api<Policy & ErrorBody>('/api/policy', { method: 'PATCH', json: body, as });

// The tests share one database and run in order: each starts from the version the last one left.
describe('the program policy, edited by an admin at run time', () => {
  it('starts at the code defaults, version 0; ops and fulfilment may read it, a viewer may not', async () => {
    expect(await policy()).toMatchObject({
      version: 0,
      updatedBy: null,
      approval: { autoApproveUnitCostUnderCents: 5000, duplicateSkuWindowDays: 90 },
      followUp: { postingWindowDays: 14, reminderAfterDeliveryDays: 5 },
    });
    expect((await p.api('/api/policy', { as: 'ops' })).status).toBe(200);
    expect((await p.api('/api/policy', { as: 'fulfillment' })).status).toBe(200);
    expect((await p.api('/api/policy', { as: 'viewer' })).status).toBe(403);
  });

  it('a lower auto-approve threshold sends what was auto-approved to a named approver', async () => {
    await api.product('THR-1', { unitCostCents: 1200 });
    await api.creator('@thr.before');
    await api.creator('@thr.after');
    expect((await api.request({ creator: '@thr.before', sku: 'THR-1' })).decision).toMatchObject({
      decision: 'approved',
      rule: 'auto_approve_low_risk',
    });

    const changed = await patch({ approval: { autoApproveUnitCostUnderCents: 1000 }, expectedVersion: 0 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      version: 1,
      updatedBy: expect.stringContaining(p.admin.email),
      approval: { autoApproveUnitCostUnderCents: 1000, duplicateSkuWindowDays: 90 },
    });

    const held = await api.request({ creator: '@thr.after', sku: 'THR-1' });
    expect(held.decision).toMatchObject({ decision: 'needs_approver', rule: 'expensive_sku' });
    expect(held.sample.status).toBe('requested');
  });

  it('a shorter duplicate-send window turns a duplicate into a send', async () => {
    await api.product('DUPW-1', { unitCostCents: 500 });
    await api.creator('@dupw');
    expect((await api.request({ creator: '@dupw', sku: 'DUPW-1', campaign: 'a' })).decision.decision).toBe('approved');
    expect((await api.request({ creator: '@dupw', sku: 'DUPW-1', campaign: 'b' })).decision).toMatchObject({
      decision: 'rejected',
      rule: 'duplicate_send',
    });

    expect((await patch({ approval: { duplicateSkuWindowDays: 0 } })).body).toMatchObject({ version: 2 });
    expect((await api.request({ creator: '@dupw', sku: 'DUPW-1', campaign: 'c' })).decision).toMatchObject({
      decision: 'approved',
      rule: 'auto_approve_low_risk',
    });
  });

  it('refuses bad values naming the field, a stale version with 409, and anyone but an admin with 403', async () => {
    const negative = await patch({ approval: { autoApproveUnitCostUnderCents: -5 } });
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'approval.autoApproveUnitCostUnderCents' }],
    });

    const unknown = await patch({ followUp: { postingWindow: 3 } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain('postingWindow');

    // Each value valid alone, the combination not: the reminder would fall after content is due.
    const combination = await patch({ followUp: { postingWindowDays: 4 } });
    expect(combination.status).toBe(400);
    expect(combination.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'followUp.reminderAfterDeliveryDays' }] },
    });
    expect(combination.body.error.message).toContain('followUp.reminderAfterDeliveryDays');

    const stale = await patch({ approval: { maxSendsPerCreatorPerPeriod: 5 }, expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONFLICT', details: { expectedVersion: 1, currentVersion: 2 } });

    expect((await patch({ approval: { maxSendsPerCreatorPerPeriod: 5 } }, 'ops')).status).toBe(403);
    expect((await patch({})).status).toBe(400);
    expect(await policy()).toMatchObject({
      version: 2,
      approval: { maxSendsPerCreatorPerPeriod: 3, autoApproveUnitCostUnderCents: 1000 },
    });
  });

  it('audits each change with the fields before and after', async () => {
    const { entries } = await api.call<{
      entries: { action: string; actor: string; actorLabel: string; detail: Record<string, unknown> }[];
    }>('GET', '/api/audit?entity=policy:program', undefined, 200);
    expect(entries.map((e) => e.action)).toEqual(['policy.update', 'policy.update']);
    expect(entries.map((e) => e.detail)).toEqual([
      {
        fromVersion: 1,
        version: 2,
        before: { approval: { duplicateSkuWindowDays: 90 } },
        after: { approval: { duplicateSkuWindowDays: 0 } },
      },
      {
        fromVersion: 0,
        version: 1,
        before: { approval: { autoApproveUnitCostUnderCents: 5000 } },
        after: { approval: { autoApproveUnitCostUnderCents: 1000 } },
      },
    ]);
    expect(entries[0]).toMatchObject({ actorLabel: expect.stringContaining(p.admin.email) });
  });

  it('the follow-up scheduler uses the posting window in force at its run', async () => {
    await api.product('WIN-1', { unitCostCents: 500 });
    await api.creator('@win');
    const { sample } = await api.request({ creator: '@win', sku: 'WIN-1' });
    await api.event(sample.id, label('TRK-WIN'));
    await api.event(sample.id, dispatch);
    const t0 = Date.now();
    await api.call(
      'POST',
      '/api/carrier-events',
      { trackingId: 'TRK-WIN', event: 'delivered', at: new Date(t0).toISOString() },
      200,
    );
    const actions = async () =>
      (
        await api.call<{ followUps: { action: string }[] }>(
          'GET',
          `/api/samples/${sample.id}/follow-ups`,
          undefined,
          200,
        )
      ).followUps.map((f) => f.action);

    // Day 7 of a 14-day window: the reminder, no final reminder yet.
    const day7 = new Date(t0 + 7 * DAY);
    await new FollowUpScheduler(p.db.pool).runOnce(day7);
    expect(await actions()).toContain('send_posting_reminder');
    expect(await actions()).not.toContain('send_final_reminder');

    // A 6-day window makes content due on day 6: the same day 7 now calls for the final reminder.
    expect((await patch({ followUp: { postingWindowDays: 6 } })).status).toBe(200);
    await new FollowUpScheduler(p.db.pool).runOnce(day7);
    expect(await actions()).toContain('send_final_reminder');
    expect(await actions()).not.toContain('mark_no_post');
  });

  it('fields a process pins in its config win over the stored policy, the rest is read from it', async () => {
    const pinned = await new PolicyService({
      pool: p.db.pool,
      pinned: { followUp: { postingWindowDays: 20 } },
    }).inForce();
    expect(pinned.followUp).toMatchObject({ postingWindowDays: 20, reminderAfterDeliveryDays: 5 });
    expect(pinned.approval).toMatchObject({ autoApproveUnitCostUnderCents: 1000, duplicateSkuWindowDays: 0 });
  });

  it('reads a follow-up policy stored before the non-posting pattern (restrictAfterNoPosts), and saves over it', async () => {
    const store = (restrictAfterNoPosts: number) =>
      p.db.pool.query(
        `update program_policy set follow_up = (follow_up - 'noPostPatternMisses' - 'noPostPatternDays')
           || jsonb_build_object('restrictAfterNoPosts', $1::int)`,
        [restrictAfterNoPosts],
      );
    await store(3);
    expect((await policy()).followUp).toMatchObject({ noPostPatternMisses: 3, noPostPatternDays: 180 });
    expect((await policy()).followUp).not.toHaveProperty('restrictAfterNoPosts');
    await store(1);
    expect((await policy()).followUp).toMatchObject({ noPostPatternMisses: 2 });
    // An edit saves the new fields; the old one is gone from the row.
    expect((await patch({ followUp: { noPostPatternDays: 90 } })).status).toBe(200);
    const { rows } = await p.db.pool.query<{ f: Record<string, unknown> }>('select follow_up as f from program_policy');
    expect(rows[0]?.f).toMatchObject({ noPostPatternMisses: 2, noPostPatternDays: 90 });
    expect(rows[0]?.f).not.toHaveProperty('restrictAfterNoPosts');
    // The old name is not accepted in a patch: unknown fields are refused.
    expect((await patch({ followUp: { restrictAfterNoPosts: 2 } })).status).toBe(400);
  });
});

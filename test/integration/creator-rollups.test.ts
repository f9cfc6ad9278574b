import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../core/domain/auth/principal.ts';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, dispatch, label, programApi } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
  // Five sends to one creator: above the default per-period cap of 3.
  await api.call('PATCH', '/api/policy', { approval: { maxSendsPerCreatorPerPeriod: 10 } }, 200);
});
afterAll(async () => {
  await p?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

interface CreatorView {
  history: Record<string, unknown>;
  rollup: Record<string, number | null>;
}

/** A send of `sku` to @roll, delivered by the carrier at `deliveredAt`. */
async function delivered(sku: string, deliveredAt: number): Promise<string> {
  await api.product(sku);
  const { sample } = await api.request({ creator: '@roll', sku });
  expect(sample.status).toBe('approved');
  await api.event(sample.id, label(`TRK-${sku}`));
  await api.event(sample.id, dispatch);
  await api.call(
    'POST',
    '/api/carrier-events',
    { trackingId: `TRK-${sku}`, event: 'delivered', at: iso(deliveredAt) },
    200,
  );
  return sample.id;
}

const post = (publishedAt: number, usableForAds: boolean) => ({
  type: 'post',
  data: { postUrl: 'https://www.tiktok.com/@roll/video/1', publishedAt, usableForAds },
});

describe('the creator record rolls up the outcome', () => {
  it('posts per send, on time, usable for ads, GMV and damage-free, each from the samples', async () => {
    const { id: creatorId } = await api.creator('@roll');
    const t0 = Date.now() - 60 * DAY;

    // On time (posted 10 days after receipt; the window is 14), usable, sold.
    const onTime = await delivered('ROLL-A', t0);
    await api.event(onTime, post(t0 + 10 * DAY, true));
    await api.event(onTime, {
      type: 'record_outcome',
      data: { orders: 3, gmvCents: 12_300, classification: 'converted' },
    });
    // Late (20 days after receipt), not usable for ads.
    const late = await delivered('ROLL-B', t0);
    await api.event(late, post(t0 + 20 * DAY, false));
    // Received damaged: a send received, not damage-free; its clock is paused, so no miss.
    const damaged = await delivered('ROLL-C', t0);
    await api.event(damaged, { type: 'report_damage', data: { note: 'cracked', suspectedCause: 'transit' } });
    // Never posted: the scheduler records the miss.
    const silent = await delivered('ROLL-D', t0);
    await new FollowUpScheduler(p.db.pool).runOnce(new Date());
    expect((await api.call<{ status: string }>('GET', `/api/samples/${silent}`, undefined, 200)).status).toBe(
      'no_post',
    );
    // Requested, never sent: counts as requested only.
    await api.product('ROLL-E');
    await api.request({ creator: '@roll', sku: 'ROLL-E' });

    const { history, rollup } = await api.call<CreatorView>('GET', `/api/creators/${creatorId}`, undefined, 200);
    expect(history).toMatchObject({
      samplesRequested: 5,
      samplesSent: 4,
      samplesReceived: 4,
      posted: 2,
      postedOnTime: 1,
      noPosts: 1,
      outcomesKnown: 3,
      usableForAds: 1,
      receivedUndamaged: 3,
      gmvCents: 12_300,
    });
    expect(rollup).toEqual({
      postsPerSend: 2 / 4,
      onTimeRate: 1 / 3, // of the posted or missed
      usableForAdsRate: 1 / 2,
      damageFreeRate: 3 / 4,
    });
  });

  it('last contact: a message sent or a step by the creator’s link; a queued message or an ops confirmation is not', async () => {
    const { id: creatorId } = await api.creator('@contact');
    await api.product('CONTACT-1');
    const { sample } = await api.request({ creator: '@contact', sku: 'CONTACT-1' });
    const lastContact = async () =>
      (await api.call<CreatorView>('GET', `/api/creators/${creatorId}`, undefined, 200)).history.lastContactAt;
    expect(await lastContact()).toBeNull();

    const message = (key: string, status: string, sentAt: Date | null) =>
      p.db.pool.query(
        `insert into creator_messages (key, sample_id, creator_id, action, channel, recipient, subject, body, status,
           next_attempt_at, created_at, sent_at)
         values ($1, $2, $3, 'send_brief', 'email', 'c@example.com', 's', 'b', $4, now(), now(), $5)`,
        [key, sample.id, creatorId, status, sentAt],
      );
    const sentAt = new Date(Date.UTC(2026, 0, 10, 9));
    await message('contact:sent', 'sent', sentAt);
    await message('contact:queued', 'queued', null);
    expect(await lastContact()).toBe(sentAt.toISOString());

    await api.event(sample.id, label('TRK-CONTACT'));
    await api.event(sample.id, dispatch);
    await api.call(
      'POST',
      '/api/carrier-events',
      { trackingId: 'TRK-CONTACT', event: 'delivered', at: iso(Date.now()) },
      200,
    );
    // Ops confirming the receipt for the creator (a `user` transition) is not contact.
    await api.event(sample.id, { type: 'confirm_receipt', data: {} });
    expect(await lastContact()).toBe(sentAt.toISOString());

    // The creator posting through their link is.
    const postedAt = new Date(Date.UTC(2026, 1, 3, 15));
    await p.services.lifecycle.applyEvent(
      sample.id,
      {
        type: 'post',
        actor: { kind: 'creator', id: 'link:test' },
        at: postedAt,
        data: {
          postUrl: 'https://www.tiktok.com/@contact/video/2',
          publishedAt: postedAt.getTime(),
          usableForAds: true,
        },
      },
      systemActor('creator-link'),
    );
    expect(await lastContact()).toBe(postedAt.toISOString());
  });
});

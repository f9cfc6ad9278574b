import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { DAY, dispatch, label, programApi, type Sample, type Transition } from './sample-program.support.ts';

let p: TestPlatform;
let api: ReturnType<typeof programApi>;
beforeAll(async () => {
  p = await startTestPlatform();
  api = programApi(p);
});
afterAll(async () => {
  await p?.close();
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const suffix = () => Math.random().toString(36).slice(2, 8);

interface Timeline {
  status: string;
  allowedEvents: string[];
  contentClock: { state: string; dueAt: string | null };
  transitions: (Transition & { at: string; recordedAt: string; late: boolean })[];
}
const timeline = (id: string) => api.call<Timeline>('GET', `/api/samples/${id}/timeline`, undefined, 200);
const sample = (id: string) =>
  api.call<Sample & { receivedAt: string | null; deviceId: string | null }>(
    'GET',
    `/api/samples/${id}`,
    undefined,
    200,
  );
const carrier = (trackingId: string, event: string, at: number) =>
  api.call<{ effect: string }>('POST', '/api/carrier-events', { trackingId, event, at: iso(at) }, 200);
/** What the condition monitor applies for a product excursion (rules/tracker-evidence.ts): transit damage by the tracker. */
const trackerDamage = (id: string, deviceId: string, at: number) =>
  api.event(id, {
    type: 'report_damage',
    actor: { kind: 'tracker', id: deviceId },
    at: iso(at),
    reason: 'tracker measured too hot',
    data: { note: 'too_hot; exception raised by the tracker', suspectedCause: 'transit' },
  });
const trackerRows = async (sampleId: string) =>
  (
    await p.pool.query<{ deviceId: string; detachedAt: Date | null; reason: string | null; tripEndsAt: Date | null }>(
      `select device_id as "deviceId", detached_at as "detachedAt", detach_reason as reason, trip_ends_at as "tripEndsAt"
   from shipment_trackers where sample_id = $1 order by attached_at`,
      [sampleId],
    )
  ).rows;

/**
 * A sample approved by the policy (now), labelled and dispatched, with a tracker packed.
 * Journeys that must not look late run their events after the request, in the future.
 */
async function shipped(): Promise<{
  id: string;
  trackingId: string;
  deviceId: string;
  handle: string;
  secret: string;
}> {
  const at = iso(Date.now() + 1000);
  const handle = `@journey.${suffix()}`;
  const sku = `J-${suffix()}`.toUpperCase();
  await api.creator(handle);
  await api.product(sku);
  const { sample: s } = await api.request({ creator: handle, sku });
  const trackingId = `1Z${suffix()}`.toUpperCase();
  await api.event(s.id, { ...label(trackingId), at });
  await api.event(s.id, { ...dispatch, at });
  const { id: deviceId, secret } = await p.provisionDevice(`trk-j-${suffix()}`);
  await api.call('PUT', `/api/samples/${s.id}/tracker`, { deviceId }, 200);
  return { id: s.id, trackingId, deviceId, handle, secret };
}

describe('a damaged parcel can still be delivered and received', () => {
  it('tracker damage in transit → carrier delivered: delivery recorded, clock paused → resolve_damage → content due from the real receipt, counted as delivered', async () => {
    const s = await shipped();
    const t = Date.now() + 4 * HOUR;
    await carrier(s.trackingId, 'in_transit', t - 3 * HOUR);
    await trackerDamage(s.id, s.deviceId, t - 2 * HOUR);
    expect((await sample(s.id)).status).toBe('damaged');

    const receivedAt = t - HOUR;
    expect((await carrier(s.trackingId, 'delivered', receivedAt)).effect).toBe('transition');
    expect(await sample(s.id)).toMatchObject({ status: 'damaged', receivedAt: iso(receivedAt) });
    const paused = await timeline(s.id);
    expect(paused.contentClock).toEqual({ state: 'paused', dueAt: null });
    expect(paused.transitions.at(-1)).toMatchObject({
      event: 'deliver',
      from: 'damaged',
      to: 'damaged',
      actor: { kind: 'carrier' },
    });
    expect(paused.allowedEvents).not.toContain('deliver');
    expect(paused.allowedEvents).toEqual(
      expect.arrayContaining(['resolve_damage', 'reship', 'write_off', 'confirm_receipt']),
    );
    // Receipt ends the trip after the profile's grace (default 2 h).
    expect((await trackerRows(s.id))[0]?.tripEndsAt?.getTime()).toBe(receivedAt + 2 * HOUR);

    const resolvedAt = t + 3 * HOUR;
    const resolved = await api.event(s.id, {
      type: 'resolve_damage',
      reason: 'cosmetic only, usable',
      at: iso(resolvedAt),
    });
    expect(resolved.sample).toMatchObject({ status: 'content_due', receivedAt: iso(receivedAt) });
    // 14 days from the receipt, plus the time paused after it (receipt → resolution).
    expect((await timeline(s.id)).contentClock).toEqual({
      state: 'running',
      dueAt: iso(receivedAt + 14 * DAY + (resolvedAt - receivedAt)),
    });

    const kpis = await api.call<{ groups: { key: string; kpis: { samplesSent: number; samplesDelivered: number } }[] }>(
      'GET',
      `/api/kpis?from=${iso(t - DAY)}&to=${iso(t + DAY)}&groupBy=creator`,
      undefined,
      200,
    );
    expect(kpis.groups.find((g) => g.key === s.handle)?.kpis).toMatchObject({ samplesSent: 1, samplesDelivered: 1 });
  });

  it('a person records the delivery of a damaged parcel (no 409), and the later carrier scan changes nothing', async () => {
    const t = Date.now();
    const s = await shipped();
    await trackerDamage(s.id, s.deviceId, t - 2 * HOUR);
    const delivered = await api.event(s.id, {
      type: 'deliver',
      data: { receivedAt: iso(t - HOUR), evidence: 'creator' },
    });
    expect(delivered.sample).toMatchObject({ status: 'damaged', receivedAt: iso(t - HOUR) });
    expect((await carrier(s.trackingId, 'delivered', t - 30 * 60_000)).effect).toBe('no_op');
    await api.event(s.id, { type: 'confirm_receipt' });
    expect((await sample(s.id)).status).toBe('damaged');
  });
});

describe('a tracker can be reused', () => {
  it('after outcome_recorded the tracker attaches to a new sample; while its trip is live it is DEVICE_IN_USE', async () => {
    const t = Date.now();
    const first = await shipped();
    const next = await shipped();
    await api.call('DELETE', `/api/samples/${next.id}/tracker`, undefined, 200);
    // A reading of the first trip, stored (PUBACK after commit).
    const client = await p.connectTracker(first.deviceId, first.secret);
    await client.publishAsync(
      `trackers/${first.deviceId}/telemetry`,
      JSON.stringify({ seq: 1, ts: t - 10 * 60_000, tempC: 21 }),
      { qos: 1 },
    );

    await carrier(first.trackingId, 'delivered', t - 5 * 60_000);
    expect((await trackerRows(first.id))[0]?.tripEndsAt?.getTime()).toBe(t - 5 * 60_000 + 2 * HOUR);
    const busy = await p.api<{ error: { code: string; details: { sampleId: string } } }>(
      `/api/samples/${next.id}/tracker`,
      { method: 'PUT', json: { deviceId: first.deviceId } },
    );
    expect(busy).toMatchObject({
      status: 409,
      body: { error: { code: 'DEVICE_IN_USE', details: { sampleId: first.id } } },
    });

    await api.event(first.id, {
      type: 'post',
      data: { postUrl: 'https://www.tiktok.com/@x/video/1', publishedAt: iso(t), usableForAds: false },
    });
    await api.event(first.id, {
      type: 'record_outcome',
      data: { orders: 0, gmvCents: 0, classification: 'content_only' },
    });
    expect(await trackerRows(first.id)).toMatchObject([
      { deviceId: first.deviceId, reason: 'final_state', detachedAt: expect.any(Date) },
    ]);
    expect((await sample(first.id)).deviceId).toBeNull();

    const moved = await api.call<Sample & { deviceId: string }>(
      'PUT',
      `/api/samples/${next.id}/tracker`,
      { deviceId: first.deviceId },
      200,
    );
    expect(moved.deviceId).toBe(first.deviceId);
    // The old sample keeps its telemetry.
    const series = await api.call<{ series: { deviceId: string; points: unknown[] }[] }>(
      'GET',
      `/api/samples/${first.id}/telemetry`,
      undefined,
      200,
    );
    expect(series.series).toMatchObject([{ deviceId: first.deviceId, points: [expect.anything()] }]);
  });

  it('a tracker whose trip has ended is moved (reason reattached); a manual detach is audited under the signed-in identity', async () => {
    const t = Date.now();
    const old = await shipped();
    await carrier(old.trackingId, 'delivered', t - 3 * HOUR); // trip ended an hour ago
    const other = await shipped();
    await api.call('DELETE', `/api/samples/${other.id}/tracker`, undefined, 200);
    await api.call('PUT', `/api/samples/${other.id}/tracker`, { deviceId: old.deviceId }, 200);
    expect(await trackerRows(old.id)).toMatchObject([{ reason: 'reattached', detachedAt: expect.any(Date) }]);
    expect((await sample(old.id)).status).toBe('delivered');

    const detached = await api.call<{ deviceId: string | null }>(
      'DELETE',
      `/api/samples/${other.id}/tracker`,
      undefined,
      200,
    );
    expect(detached.deviceId).toBeNull();
    const none = await p.api<{ error: { code: string } }>(`/api/samples/${other.id}/tracker`, { method: 'DELETE' });
    expect(none).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const me = await api.call<{ tokenId: number }>('GET', '/api/auth/me', undefined, 200);
    const audit = await api.call<{ entries: { actor: string; action: string; detail: Record<string, unknown> }[] }>(
      'GET',
      `/api/audit?entity=sample:${other.id}`,
      undefined,
      200,
    );
    expect(
      audit.entries
        .filter((e) => e.action === 'sample.tracker_detach')
        .map((e) => [e.actor, e.detail.reason, e.detail.deviceId]),
    ).toEqual([
      [`token:${me.tokenId}`, 'manual', old.deviceId],
      [`token:${me.tokenId}`, 'manual', other.deviceId],
    ]);
  });
});

describe('late verdicts are appended, never reordered', () => {
  it('a damage verdict measured before the delivery, recorded after it, follows the delivery with both times', async () => {
    const s = await shipped();
    const t = Date.now() + 2 * HOUR;
    await carrier(s.trackingId, 'delivered', t - HOUR);
    const shownBefore = await timeline(s.id);
    await trackerDamage(s.id, s.deviceId, t - 90 * 60_000);

    const tl = await timeline(s.id);
    expect(tl.status).toBe('damaged');
    expect(tl.transitions.slice(0, -1)).toEqual(shownBefore.transitions);
    const [deliver, damage] = tl.transitions.slice(-2);
    expect(deliver).toMatchObject({ event: 'deliver', late: false });
    expect(damage).toMatchObject({
      event: 'report_damage',
      from: 'delivered',
      to: 'damaged',
      late: true,
      at: iso(t - 90 * 60_000),
    });
    expect(Date.parse(damage!.recordedAt)).toBeGreaterThan(Date.parse(deliver!.recordedAt));
    // The damage is real: the review is open and the clock is paused until it is resolved.
    expect(tl.contentClock.state).toBe('paused');
  });
});

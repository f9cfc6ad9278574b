import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { programApi, trackerEvent } from '../integration/sample-program.support.ts';
import { aProduct } from '../support/builders.ts';
import {
  harness,
  inPage,
  openPath,
  provisionInSample,
  screenshot,
  shownText,
  suffix,
  trackerSender,
} from './harness.ts';
import { MAP, colourShares, hex, mapIdle } from './map-support.ts';

/**
 * The sample page: a person drives the lifecycle from the actions the timeline allows and
 * sees the timeline grow; a tracked sample shows its telemetry over the trip as charts
 * (server-side buckets sized to the trip), its route, and its exceptions in the timeline.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

const timelineEvents = (page: Page) =>
  page.locator('li[data-entry="transition"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));

export function samplePageSuite(): void {
  describe('dashboard: sample page', () => {
    it(
      'approves a sample and creates its label from the page, and the timeline shows who, when and why',
      { timeout: 60_000 },
      async () => {
        const p = programApi(harness.platform);
        const handle = `@sam.${suffix()}`;
        const sku = `LUX-${suffix()}`;
        await p.creator(handle);
        // Expensive: the policy leaves it to a named approver.
        await p.product(sku, { unitCostCents: 9900 });
        const { sample, decision } = await p.request({ creator: handle, sku, campaign: 'spring-drop' });
        expect(decision.decision).toBe('needs_approver');

        const { page, errors } = await openPath(`/samples/${sample.id}`);
        const article = page.locator(`article[data-sample-id="${sample.id}"]`);
        expect(await article.getAttribute('data-status')).toBe('requested');
        expect(await shownText(page.locator('[data-field="creator"]'))).toBe(handle);
        expect(await shownText(page.locator('[data-field="sku"]'))).toBe(sku);
        expect(await shownText(page.locator('[data-field="campaign"]'))).toBe('spring-drop');
        expect(await timelineEvents(page)).toEqual(['request']);
        // No profile on the product: the defaults; ops can give this sample its own preset, and take it back.
        const profile = page.locator('[data-field="condition-profile"]');
        expect(await shownText(profile)).toContain('defaults');
        await page.getByLabel('Condition profile of this sample').selectOption('fragile');
        // A generous deadline (the default is 1 s): the page waits for the server's answer.
        await expect.poll(() => shownText(profile), { timeout: 15_000 }).toContain("fragile · this sample's own");
        expect(
          (await harness.platform.api<{ condition: { source: string } }>(`/api/samples/${sample.id}`)).body.condition
            .source,
        ).toBe('sample');
        await page.getByLabel('Condition profile of this sample').selectOption('');
        await expect.poll(() => shownText(profile), { timeout: 15_000 }).toContain('defaults');
        expect(await page.locator('a[data-print-label]').getAttribute('href')).toBe(
          `/api/samples/labels?ids=${sample.id}`,
        );
        // Only what the lifecycle allows now.
        expect(
          await page.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))),
        ).toEqual(['approve', 'reject', 'cancel']);

        await page.locator('[data-action="approve"]').click();
        await page.locator('[data-event-form="approve"] input[name="reason"]').fill('fits the spring brief');
        await page.locator('[data-event-form="approve"] button[type="submit"]').click();
        await expect.poll(() => article.getAttribute('data-status')).toBe('approved');
        expect(await timelineEvents(page)).toEqual(['request', 'approve']);
        const approved = page.locator('li[data-event="approve"]');
        // Who acted is the signed-in person: nobody is asked for a name.
        expect(await page.getByLabel('Your name').count()).toBe(0);
        expect(await shownText(approved.locator('[data-field="actor"]'))).toBe(`by ${harness.platform.admin.email}`);
        expect(await shownText(approved.locator('[data-field="reason"]'))).toBe('“fits the spring brief”');
        expect(await approved.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

        // Create the label: carrier, service level, tracking id.
        await page.locator('[data-action="create_label"]').click();
        const form = page.locator('[data-event-form="create_label"]');
        await form.locator('input[name="carrier"]').fill('ups');
        await form.locator('input[name="serviceLevel"]').fill('ground');
        await form.locator('input[name="trackingId"]').fill('1Z999AA10123456784');
        await form.locator('input[name="shippingCostCents"]').fill('6.40');
        await form.locator('button[type="submit"]').click();
        await expect.poll(() => article.getAttribute('data-status')).toBe('label_created');
        expect(await timelineEvents(page)).toEqual(['request', 'approve', 'create_label']);
        expect(await shownText(page.locator('[data-field="shipment"]'))).toContain('1Z999AA10123456784');
        expect(await shownText(page.locator('li[data-event="create_label"]'))).toContain(
          'tracking id: 1Z999AA10123456784',
        );
        await screenshot(page, 'sample-actions');

        const stored = await harness.platform.api<{ status: string; carrier: string; shippingCostCents: number }>(
          `/api/samples/${sample.id}`,
        );
        expect(stored.body).toMatchObject({ status: 'label_created', carrier: 'ups', shippingCostCents: 640 });
        const timeline = await harness.platform.api<{ transitions: { event: string; actor: { id: string } }[] }>(
          `/api/samples/${sample.id}/timeline`,
        );
        expect(timeline.body.transitions.map((t) => [t.event, t.actor.id])).toEqual([
          ['request', 'mia@test.local'],
          ['approve', harness.platform.admin.email],
          ['create_label', harness.platform.admin.email],
        ]);

        // A refused action says why, in the API's words.
        await page.locator('[data-action="cancel"]').click();
        await page.locator('[data-event-form="cancel"] input[name="reason"]').fill('creator withdrew');
        await page.locator('[data-event-form="cancel"] button[type="submit"]').click();
        await expect.poll(() => article.getAttribute('data-status')).toBe('cancelled');
        expect(await page.locator('[data-no-actions]').count()).toBe(1);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'charts a tracked sample’s readings with the profile’s band, draws its route, and shows an exception live',
      { timeout: 90_000 },
      async () => {
        const sku = `CHOC-${suffix()}`;
        await aProduct(harness.platform.pool, { sku, profile: CONDITION_PRESETS.chocolate });
        const { id, secret, sampleId } = await provisionInSample('@nia.treats', sku);
        const tracker = await trackerSender(id, secret);
        // Three hours on the road, Kansas City → St. Louis, a reading every 10 min, cool.
        const t0 = Date.now() - 3 * HOUR;
        const readings = Array.from({ length: 18 }, (_, i) => ({
          seq: i,
          ts: t0 + i * 10 * MIN,
          tempC: 18 + (i % 3) * 0.5,
          humidityPct: 45 + (i % 4),
          shockG: i === 9 ? 2.4 : 0.3,
          lightLux: 0,
          batteryPct: 90 - i * 0.2,
          lat: 39.1 - i * 0.03,
          lon: -94.6 + i * 0.22,
        }));
        await tracker.send(readings);
        await expect
          .poll(
            async () =>
              (await harness.platform.api<{ series: { points: unknown[] }[] }>(`/api/samples/${sampleId}/telemetry`))
                .body.series[0]?.points.length,
          )
          .toBe(18);

        const { page, errors, navigations } = await openPath(`/samples/${sampleId}`);
        await page.evaluate('window.__sameDocument = true');
        const section = page.locator('section[data-bucket]');
        // A 3-hour trip: 1-minute buckets, so every reading is its own point.
        expect(await section.getAttribute('data-bucket')).toBe('1m');
        for (const name of ['temperature', 'humidity', 'shock', 'light', 'battery']) {
          expect(await page.locator(`[data-chart="${name}"]`).getAttribute('data-points'), name).toBe('18');
        }
        // The chocolate profile's 28 °C ceiling as a band behind the temperature line.
        expect(await page.locator('[data-chart="temperature"] rect[data-band]').count()).toBe(1);
        expect(await shownText(page.locator('[data-chart="temperature"] .band-key'))).toBe('allowed ≤ 28 °C');
        expect(await shownText(page.locator('[data-telemetry-caption]'))).toContain(
          '18 readings in 18 1-minute buckets',
        );
        // The route: every reading, one plain stretch, drawn on the map.
        const trackMap = page.locator('.track-map');
        await expect.poll(() => trackMap.getAttribute('data-track-points')).toBe('18');
        expect(await trackMap.getAttribute('data-excursion-segments')).toBe('0');
        await mapIdle(page);
        expect(await inPage<number>(page, `${MAP()}.querySourceFeatures('route').length`)).toBeGreaterThan(0);
        expect(
          await inPage<string[]>(
            page,
            `[...new Set(${MAP()}.queryRenderedFeatures({ layers: ['route'] }).map((f) => f.properties.kind))]`,
          ),
        ).toEqual(['route']);
        // The trip's verdicts: MKT of 18–19 °C against chocolate's 25 °C, none of its hour out of range used.
        expect((await shownText(page.locator('[data-field="mkt"]')))!.trim()).toMatch(/^MKT 18\.\d °C \/ 25 °C$/);
        expect((await shownText(page.locator('[data-field="budget"]')))!.trim()).toBe('· out of range 0 s of 1 h');

        // It heats up past 28 °C for more than 20 min: the exception appears in the timeline live.
        const hot = Array.from({ length: 6 }, (_, i) => ({
          seq: 18 + i,
          ts: t0 + (18 + i) * 10 * MIN - 5 * MIN,
          tempC: 31,
          humidityPct: 50,
          lat: 38.6,
          lon: -90.2,
        }));
        await tracker.send(hot);
        const exception = page.locator('li[data-entry="exception"]');
        await exception.waitFor({ timeout: 15_000 });
        expect(await shownText(exception)).toContain('Too hot');
        await expect
          .poll(() => page.locator('[data-chart="temperature"]').getAttribute('data-points'), { timeout: 15_000 })
          .toBe('24');
        // The hot stretch of the route in the exception's severity colour: from its start to its end, by event time.
        const [hotOne] = (
          await harness.platform.api<{ exceptions: { severity: string; type: string }[] }>(
            `/api/exceptions?sampleId=${sampleId}`,
          )
        ).body.exceptions;
        expect(hotOne?.type).toBe('too_hot');
        await expect.poll(() => trackMap.getAttribute('data-excursion-segments'), { timeout: 15_000 }).toBe('1');
        expect(await trackMap.getAttribute('data-track-points')).toBe('24');
        await mapIdle(page);
        await expect
          .poll(() =>
            inPage<string[]>(
              page,
              `[...new Set(${MAP()}.queryRenderedFeatures({ layers: ['route'] }).map((f) => f.properties.kind))].sort()`,
            ),
          )
          .toEqual([hotOne!.severity, 'route'].sort());
        await screenshot(page, 'sample-telemetry');

        // Acknowledged from the timeline.
        await exception.getByRole('button', { name: 'Acknowledge' }).click();
        await expect.poll(() => exception.locator('[data-status]').getAttribute('data-status')).toBe('acknowledged');
        expect(navigations()).toBe(0);
        expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it(
      'lists a late damage verdict after the delivery shown before it, with both times',
      { timeout: 60_000 },
      async () => {
        const p = programApi(harness.platform);
        const handle = `@late.${suffix()}`;
        const sku = `LATE-${suffix()}`;
        await p.creator(handle);
        await p.product(sku);
        const { sample } = await p.request({ creator: handle, sku });
        const trackingId = `1ZL${suffix()}`;
        await p.event(sample.id, {
          type: 'create_label',
          data: { carrier: 'ups', serviceLevel: 'ground', trackingId },
        });
        // Delivered two hours from now; the tracker's verdict measured 30 min before that arrives afterwards.
        const deliveredAt = Date.now() + 2 * HOUR;
        await p.call(
          'POST',
          '/api/carrier-events',
          { trackingId, event: 'delivered', at: new Date(deliveredAt).toISOString() },
          200,
        );
        await trackerEvent(harness.platform, sample.id, 'trk-late', {
          type: 'report_damage',
          at: deliveredAt - 30 * MIN,
          data: { note: 'too_hot; exception raised by the tracker', suspectedCause: 'transit' },
        });

        const { page, errors } = await openPath(`/samples/${sample.id}`);
        expect(await timelineEvents(page)).toEqual(['request', 'approve', 'create_label', 'deliver', 'report_damage']);
        const late = page.locator('li[data-event="report_damage"] [data-field="late"]');
        const times = await late.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
        expect(times[0]).toBe(new Date(deliveredAt - 30 * MIN).toISOString());
        expect(Date.parse(times[1]!)).toBeLessThan(deliveredAt);
        expect(await shownText(late)).toContain('happened');
        expect(await page.locator('li[data-event="deliver"] [data-field="late"]').count()).toBe(0);
        // The damage is real: under review, the content clock is paused.
        expect(await page.locator('[data-field="content-clock"]').getAttribute('data-clock')).toBe('paused');
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('keeps a week-long trip readable with hourly buckets', { timeout: 60_000 }, async () => {
      const sku = `TEA-${suffix()}`;
      await aProduct(harness.platform.pool, { sku, profile: CONDITION_PRESETS.ambient });
      const { id, secret, sampleId } = await provisionInSample('@wes.travels', sku);
      const tracker = await trackerSender(id, secret);
      const t0 = Date.now() - 7 * 24 * HOUR;
      // Every 15 min for 7 days: 672 readings, sent as the tracker would after a long gap.
      const all = Array.from({ length: 672 }, (_, i) => ({
        seq: i,
        ts: t0 + i * 15 * MIN,
        tempC: 20 + 5 * Math.sin(i / 20),
        humidityPct: 50,
        lat: 40,
        lon: -100 + i * 0.02,
      }));
      for (let i = 0; i < all.length; i += 300) await tracker.send(all.slice(i, i + 300));
      await expect
        .poll(
          async () =>
            (
              await harness.platform.api<{ series: { points: unknown[] }[] }>(
                `/api/samples/${sampleId}/telemetry?bucket=1d`,
              )
            ).body.series[0]?.points.length,
          { timeout: 15_000 },
        )
        .toBeGreaterThanOrEqual(7);
      await expect
        .poll(
          async () =>
            (
              await harness.platform.api<{ series: { points: { count: number }[] }[] }>(
                `/api/samples/${sampleId}/telemetry?bucket=1d`,
              )
            ).body.series[0]?.points.reduce((n, p) => n + p.count, 0),
          { timeout: 15_000 },
        )
        .toBe(672);

      const { page, errors } = await openPath(`/samples/${sampleId}`);
      expect(await page.locator('section[data-bucket]').getAttribute('data-bucket')).toBe('1h');
      const points = Number(await page.locator('[data-chart="temperature"]').getAttribute('data-points'));
      expect(points).toBeGreaterThanOrEqual(168);
      expect(points).toBeLessThanOrEqual(170);
      // The route is not bucketed: all 672 fixes.
      await expect
        .poll(() => page.locator('.track-map').getAttribute('data-track-points'), { timeout: 15_000 })
        .toBe('672');
      await screenshot(page, 'sample-week');
      expect(errors).toEqual([]);
      await page.close();
    });

    it(
      'draws the trip’s origin and destination geofences and the full route on the sample’s map',
      { timeout: 120_000 },
      async () => {
        const sku = `TEA-${suffix()}`;
        await aProduct(harness.platform.pool, { sku, profile: CONDITION_PRESETS.ambient });
        const { id, secret, sampleId } = await provisionInSample('@gia.bakes', sku);
        // Omaha warehouse → a creator 40 km east, 2 km geofences (large enough to see as rings at this zoom).
        const origin = { lat: 41.26, lon: -95.94 };
        const destination = { lat: 41.26, lon: -95.46 };
        const set = await harness.platform.api(`/api/samples/${sampleId}/geofences`, {
          method: 'PUT',
          json: { origin, destination, radiusM: 2000 },
        });
        expect(set.status).toBe(200);
        const tracker = await trackerSender(id, secret);
        const t0 = Date.now() - 2 * HOUR;
        await tracker.send(
          Array.from({ length: 25 }, (_, i) => ({
            seq: i,
            ts: t0 + i * 4 * MIN,
            tempC: 20,
            humidityPct: 40,
            lat: 41.26 + Math.sin(i / 4) * 0.02,
            lon: -95.94 + i * 0.02,
          })),
        );

        const { page, errors } = await openPath(`/samples/${sampleId}`);
        const trackMap = page.locator('.track-map');
        await expect.poll(() => trackMap.getAttribute('data-track-points')).toBe('25');
        expect(await trackMap.getAttribute('data-geofences')).toBe('2');
        await mapIdle(page);
        // Both rings and their centres are drawn…
        const drawn = await inPage<{ fills: string[]; centres: string[] }>(
          page,
          `(() => {
        const m = ${MAP()};
        const kinds = (layer) => [...new Set(m.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.kind))].sort();
        return { fills: kinds('geofence-fill'), centres: kinds('geofence-centre') };
      })()`,
        );
        expect(drawn).toEqual({ fills: ['destination', 'origin'], centres: ['destination', 'origin'] });
        // …at their true size: the destination ring's edge is 2 km from its centre on screen.
        const ring = await inPage<{ centre: [number, number]; edge: [number, number] }>(
          page,
          `(() => {
        const m = ${MAP()};
        const c = m.project([${destination.lon}, ${destination.lat}]);
        const e = m.project([${destination.lon}, ${destination.lat} + 2000 / 111195]);
        return { centre: [c.x, c.y], edge: [e.x, e.y] };
      })()`,
        );
        const radiusPx = Math.hypot(ring.edge[0] - ring.centre[0], ring.edge[1] - ring.centre[1]);
        expect(radiusPx).toBeGreaterThan(8);
        // And in the picture: the destination colour around its centre.
        const box = (await page.locator('.track-map .maplibregl-canvas').boundingBox())!;
        const r = Math.ceil(radiusPx) + 4;
        const clip = { x: box.x + ring.centre[0] - r, y: box.y + ring.centre[1] - r, width: 2 * r, height: 2 * r };
        const shares = colourShares(await page.screenshot({ clip }), { centre: hex('#c2185b') }, 24);
        expect(shares.centre).toBeGreaterThan(0.01);
        await screenshot(page, 'sample-geofences');
        expect(errors).toEqual([]);
        await page.close();
      },
    );
  });
}

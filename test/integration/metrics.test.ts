import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITION_PRESETS } from '../../core/domain/condition/index.ts';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import { aProduct } from '../support/builders.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { dispatch, label, programApi } from './sample-program.support.ts';

/**
 * The metrics a person alerts on (issue 6, part 6), scraped from /metrics with an
 * integration token the way Prometheus does: each moves when its matching thing happens.
 */
let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({
    WEBHOOK_RETRY_BASE_MS: '20',
    WEBHOOK_POLL_MS: '20',
    ALERT_ESCALATE_AFTER_MIN: '0.0001',
  });
});
afterAll(async () => {
  await p?.close();
});

type Samples = Map<string, number>;

/** `name{labels} value` lines → map; labels kept as written (prom-client sorts nothing, but writes them stably). */
async function scrape(): Promise<Samples> {
  const res = await fetch(`${p.httpUrl}/metrics`, { headers: await p.authHeaders('integration') });
  expect(res.status).toBe(200);
  const out: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const value = (s: Samples, key: string) => s.get(key) ?? 0;

/** A port nothing listens on: deliveries to it fail at once (connection refused). */
async function deadUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}/hook`;
}

async function tracker() {
  const { id, secret } = await p.provisionDevice(`trk-met-${randomBytes(3).toString('hex')}`);
  const client = await p.connectTracker(id, secret);
  return {
    id,
    publish: (payload: unknown) =>
      client.publishAsync(`trackers/${id}/telemetry`, typeof payload === 'string' ? payload : JSON.stringify(payload), {
        qos: 1,
      }),
  };
}

describe('/metrics', () => {
  it('refuses a scrape without a token and serves one with an integration token', async () => {
    expect((await fetch(`${p.httpUrl}/metrics`)).status).toBe(401);
    const s = await scrape();
    expect(value(s, 'sampletrack_ops_metrics_up')).toBe(1);
  });

  it('counts stored readings, their commit latency and event-time lag, and dead letters by reason', async () => {
    const before = await scrape();
    const t = await tracker();
    await t.publish({
      readings: [
        { seq: 1, ts: Date.now() - 2 * 3600_000 },
        { seq: 2, ts: Date.now() - 1000 },
      ],
    });
    await t.publish('{"seq": 3, "ts": ');
    await t.publish({ seq: 4, ts: Date.now() - 1000, tempC: 500 });
    // On the embedded broker the PUBACK follows the commit; an external one acks on receipt,
    // so wait until ingest has handled all three messages (rejections count at parse time,
    // stored readings at their commit).
    const rejected = 'sampletrack_readings_rejected_total{reason="invalid_reading"}';
    const ingested = 'sampletrack_readings_ingested_total';
    const after = await waitFor(
      async () => {
        const s = await scrape();
        const handled =
          value(s, rejected) > value(before, rejected) && value(s, ingested) >= value(before, ingested) + 2;
        return handled && value(s, 'sampletrack_ingest_lag_seconds') === 0 ? s : undefined;
      },
      5000,
      'ingest to handle the three messages and have nothing left waiting',
    );
    expect(
      value(after, 'sampletrack_readings_ingested_total') - value(before, 'sampletrack_readings_ingested_total'),
    ).toBe(2);
    expect(
      value(after, 'sampletrack_ingest_commit_latency_seconds_count') -
        value(before, 'sampletrack_ingest_commit_latency_seconds_count'),
    ).toBe(2);
    expect(
      value(after, 'sampletrack_ingest_event_lag_seconds_count') -
        value(before, 'sampletrack_ingest_event_lag_seconds_count'),
    ).toBe(2);
    // The two-hour-old reading lands above the 1 h bucket, the fresh one below it.
    const le1h = 'sampletrack_ingest_event_lag_seconds_bucket{le="3600"}';
    expect(value(after, le1h) - value(before, le1h)).toBe(1);
    for (const reason of ['invalid_json', 'invalid_reading']) {
      const key = `sampletrack_readings_rejected_total{reason="${reason}"}`;
      expect(value(after, key) - value(before, key), reason).toBe(1);
    }
    expect(value(after, 'sampletrack_ingest_pending_readings')).toBe(0);
    expect(value(after, 'sampletrack_ingest_lag_seconds')).toBe(0);
  });

  it('shows an undeliverable webhook as a growing backlog, and counts alerts, open exceptions and escalations', async () => {
    const before = await scrape();
    const sub = await p.api<{ id: number }>('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: await deadUrl(), minSeverity: 'warning' },
    });
    expect(sub.status).toBe(201);
    const sku = `GLASS-${randomBytes(3).toString('hex')}`;
    await aProduct(p.pool, { sku, profile: CONDITION_PRESETS.fragile });
    const t = await tracker();
    const sample = await p.api<{ id: string }>('/api/samples', { method: 'POST', json: { creator: '@metrics', sku } });
    await p.api(`/api/samples/${sample.body.id}/tracker`, { method: 'PUT', json: { deviceId: t.id } });
    const t0 = Date.now() - 3600_000;
    await t.publish({
      readings: [
        { seq: 0, ts: t0 },
        { seq: 1, ts: t0 + 20 * 60_000, shockG: 14 },
      ],
    });

    const opened = 'sampletrack_alerts_total{kind="opened",severity="critical"}';
    const openCritical = 'sampletrack_exceptions_open{severity="critical",status="open"}';
    const pending = 'sampletrack_webhook_deliveries_backlog{status="pending"}';
    const during = await waitFor(
      async () => {
        const s = await scrape();
        // Retried at least once (20 ms base back-off) and still pending.
        return value(s, opened) > value(before, opened) && value(s, 'sampletrack_webhook_deliveries_retrying') > 0
          ? s
          : undefined;
      },
      5000,
      'the alert and its failing delivery',
    );
    expect(value(during, openCritical) - value(before, openCritical)).toBe(1);
    expect(value(during, pending) - value(before, pending)).toBe(1);
    await new Promise((r) => setTimeout(r, 1100)); // past the scrape cache, the backlog ages
    const later = await scrape();
    expect(value(later, 'sampletrack_webhook_deliveries_oldest_pending_age_seconds')).toBeGreaterThan(1);

    await new Promise((r) => setTimeout(r, 20)); // past ALERT_ESCALATE_AFTER_MIN
    expect(await p.services.alerts.escalate()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    const escalated = await scrape();
    expect(value(escalated, 'sampletrack_escalations_total') - value(before, 'sampletrack_escalations_total')).toBe(1);
    const kindEscalated = 'sampletrack_alerts_total{kind="escalated",severity="critical"}';
    expect(value(escalated, kindEscalated) - value(before, kindEscalated)).toBe(1);
    // Two alerts to a receiver that never answers: two deliveries waiting.
    expect(value(escalated, pending) - value(before, pending)).toBe(2);
  });

  it('shows pending follow-up messages in the outbox backlog', async () => {
    const before = await scrape();
    const api = programApi(p);
    await api.creator('@outbox.metrics');
    await api.product('OUTBOX-1');
    const req = await api.request({ creator: '@outbox.metrics', sku: 'OUTBOX-1' });
    await api.event(req.sample.id, label('1ZMETRICS'));
    await api.event(req.sample.id, dispatch);
    await new FollowUpScheduler(p.db.pool).runOnce(new Date(Date.now() + 500));
    await new Promise((r) => setTimeout(r, 1100));
    const after = await scrape();
    const key = 'sampletrack_outbox_messages_backlog{status="pending"}';
    expect(value(after, key) - value(before, key)).toBeGreaterThanOrEqual(2);
    expect(value(after, 'sampletrack_outbox_messages_oldest_pending_age_seconds')).toBeGreaterThan(0);
  });
});

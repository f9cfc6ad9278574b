import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_BUILD } from '../../api/plugins/dashboard.ts';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';

interface Parcel {
  deviceId: string;
  sampleId: string | null;
  lat: number | null;
  reading: { seq: number; tempC?: number } | null;
  lastSeenAt: string | null;
}

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.close();
});

describe('end to end: simulated tracker → broker → ingest → database → API and WebSocket', () => {
  it('a published reading reaches the API within a second and the live socket without polling', async () => {
    const id = `trk-e2e-${randomBytes(3).toString('hex')}`;
    await p.product('CHOC-70-BAR');
    const provisioned = await p.api<{ id: string; secret: string }>('/api/devices', { method: 'POST', json: { id } });
    expect(provisioned.status).toBe(201);
    expect(provisioned.body.secret.length).toBeGreaterThan(20);

    const sample = await p.api<{ id: string }>('/api/samples', {
      method: 'POST',
      json: { creator: '@ava.cooks', sku: 'CHOC-70-BAR' },
    });
    expect(sample.status).toBe(201);
    expect(sample.body.id).toMatch(/^SMP-\d{2}-\d{6}$/);
    const attached = await p.api<{ deviceId: string }>(`/api/samples/${sample.body.id}/tracker`, {
      method: 'PUT',
      json: { deviceId: id },
    });
    expect(attached.body.deviceId).toBe(id);

    const live: Parcel[][] = [];
    const ws = new WebSocket(`${p.httpUrl.replace('http', 'ws')}/api/live`, { headers: await p.authHeaders('viewer') });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; parcels?: Parcel[] };
      if (msg.type === 'parcels') live.push(msg.parcels!);
    });
    await new Promise((r) => ws.once('open', r));

    const tracker = await p.connectTracker(id, provisioned.body.secret);
    const ts = new Date(Date.now() - 2000).toISOString();
    const sentAt = Date.now();
    await tracker.publishAsync(
      `trackers/${id}/telemetry`,
      JSON.stringify({ seq: 1, ts, lat: 34.0522, lon: -118.2437, tempC: 4.6, batteryPct: 87 }),
      { qos: 1 },
    );

    const parcel = await waitFor(
      async () => {
        const { body } = await p.api<{ parcels: Parcel[] }>('/api/parcels');
        return body.parcels.find((x) => x.deviceId === id && x.reading?.seq === 1);
      },
      1000,
      'the reading in /api/parcels',
    );
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(parcel).toMatchObject({ sampleId: sample.body.id, lat: 34.0522, reading: { seq: 1, tempC: 4.6 } });

    const pushed = await waitFor(
      () => live.flat().find((x) => x.deviceId === id && x.reading?.seq === 1),
      2000,
      'a live update',
    );
    expect(pushed.sampleId).toBe(sample.body.id);

    const series = await p.api<{ series: { deviceId: string; points: { ts: string; tempC: number }[] }[] }>(
      `/api/samples/${sample.body.id}/telemetry`,
    );
    expect(series.status).toBe(200);
    expect(series.body.series[0]?.points).toEqual([expect.objectContaining({ tempC: 4.6, ts: expect.any(String) })]);
    expect(Date.parse(series.body.series[0]!.points[0]!.ts)).toBe(Date.parse(ts));

    const bucketed = await p.api<{ series: { points: { count: number }[] }[] }>(
      `/api/samples/${sample.body.id}/telemetry?bucket=1h`,
    );
    expect(bucketed.body.series[0]?.points[0]?.count).toBe(1);
    ws.close();
  });

  it.skipIf(!existsSync(`${DASHBOARD_BUILD}index.html`))(
    'serves the dashboard at page paths, dots included, and keeps JSON 404s for the API',
    async () => {
      const page = await fetch(`${p.httpUrl}/creators/@ava.cooks`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const api = await p.api<{ error: { code: string } }>('/api/nope');
      expect(api.status).toBe(404);
      expect(api.body.error.code).toBe('ROUTE_NOT_FOUND');
    },
  );

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await p.api('/healthz')).status).toBe(200);
    const ready = await p.api<{ ready: boolean; checks: Record<string, { ok: boolean }> }>('/readyz');
    expect(ready.body.ready).toBe(true);
    const metrics = await fetch(`${p.httpUrl}/metrics`, { headers: await p.authHeaders('integration') }).then((r) =>
      r.text(),
    );
    expect(metrics).toContain('sampletrack_readings_ingested_total');
    expect(metrics).toContain('sampletrack_ingest_flush_seconds');
    const config = await p.api<{ mapTileUrl: string | null; publicUrl: string }>('/api/config');
    expect(config.body).toEqual({ mapTileUrl: null, publicUrl: 'http://127.0.0.1:3000' });
    const doc = await p.api<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/devices', '/api/samples/{id}/telemetry', '/api/parcels', '/api/live']),
    );
  });
});

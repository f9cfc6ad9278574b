import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDemoHistory } from '../../platform/demo-history-plan.ts';
import { seedDemoHistory, type DemoHistoryReport } from '../../platform/demo-history.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * The demo's seeded program, seen through the HTTP API as a newcomer's first screen sees
 * it: KPIs that are not zero, samples at every stage, creators with different records.
 */

const DAY = 86_400_000;
const NOW = new Date();

interface Sample {
  id: string;
  status: string;
  creator: string;
  reshipOf: string | null;
  classification: string | null;
}
interface Creator {
  id: string;
  handle: string;
  standing: string;
  history: { samplesSent: number; posted: number; gmvCents: number };
}

let p: TestPlatform;
let report: DemoHistoryReport | undefined;
let samples: Sample[];
beforeAll(async () => {
  // DEMO_FLEET > 0 asks for the history; the test platform starts no fleet itself.
  p = await startTestPlatform({ DEMO_FLEET: '12', DEMO_HISTORY_DAYS: '90' });
  report = await seedDemoHistory(p, { now: NOW });
  samples = (await p.api<{ samples: Sample[] }>('/api/samples?limit=1000')).body.samples;
}, 120_000);
afterAll(async () => {
  await p?.close();
});

describe('demo history', () => {
  it('seeds a few hundred samples, every planned step accepted by the lifecycle', () => {
    expect(report).toBeDefined();
    expect(report!.refused).toEqual([]);
    expect(samples.length).toBe(report!.samples);
    expect(samples.length).toBeGreaterThanOrEqual(250);
  });

  it('gives non-zero sample-to-post, cost per post and GMV per sample over the 90 days', async () => {
    const from = new Date(NOW.getTime() - 91 * DAY).toISOString();
    const res = await p.api<{ groups: { kpis: Record<string, number | null> }[] }>(
      `/api/kpis?from=${from}&to=${new Date(NOW.getTime() + DAY).toISOString()}`,
    );
    expect(res.status).toBe(200);
    const k = res.body.groups[0]!.kpis;
    expect(k.sampleToPostRate).toBeGreaterThan(0.3);
    expect(k.sampleToPostRate).toBeLessThan(1);
    expect(k.costPerPostCents).toBeGreaterThan(0);
    expect(k.gmvPerSampleSentCents).toBeGreaterThan(0);
  });

  it("fills the KPI page's first screen: its default period (the last 12 weeks) is non-zero too", async () => {
    const to = new Date(NOW.getTime() + DAY);
    const from = new Date(to.getTime() - 84 * DAY);
    const res = await p.api<{ groups: { kpis: Record<string, number | null> }[] }>(
      `/api/kpis?from=${from.toISOString()}&to=${to.toISOString()}`,
    );
    const k = res.body.groups[0]!.kpis;
    expect(k.sampleToPostRate).toBeGreaterThan(0);
    expect(k.costPerPostCents).toBeGreaterThan(0);
    expect(k.gmvPerSampleSentCents).toBeGreaterThan(0);
  });

  it('has samples in every stage of the lifecycle', () => {
    const statuses = new Set(samples.map((s) => s.status));
    for (const status of [
      'requested',
      'approved',
      'rejected',
      'cancelled',
      'label_created',
      'dispatched',
      'in_transit',
      'delivery_exception',
      'returned_to_sender',
      'delivered',
      'content_due',
      'posted',
      'outcome_recorded',
      'no_post',
      'damaged',
      'reshipped',
      'lost',
      'written_off',
    ])
      expect(statuses, status).toContain(status);
    expect(samples.filter((s) => s.reshipOf !== null).length).toBeGreaterThan(0);
    expect(samples.some((s) => s.classification === 'converted')).toBe(true);
  });

  it('grants extensions, so some content is due a week later', async () => {
    const due = samples.filter((s) => s.status === 'content_due');
    const timelines = await Promise.all(
      due.map((s) =>
        p.api<{ transitions: { event: string }[] }>(`/api/samples/${s.id}/timeline`).then((r) => r.body.transitions),
      ),
    );
    expect(timelines.some((t) => t.some((x) => x.event === 'grant_extension'))).toBe(true);
  });

  it('gives creators different records: sends, posts, GMV and standings', async () => {
    const list = (await p.api<{ creators: { handle: string }[] }>('/api/creators?limit=1000')).body.creators;
    expect(list.length).toBeGreaterThanOrEqual(40);
    expect(list.length).toBeLessThanOrEqual(80);
    const creators = await Promise.all(
      list.map((c) => p.api<Creator>(`/api/creators/${encodeURIComponent(c.handle)}`).then((r) => r.body)),
    );
    const sends = new Set(creators.map((c) => c.history.samplesSent));
    const posts = new Set(creators.map((c) => c.history.posted));
    expect(sends.size).toBeGreaterThanOrEqual(4);
    expect(posts.size).toBeGreaterThanOrEqual(4);
    expect(creators.some((c) => c.history.samplesSent >= 5 && c.history.posted >= 3)).toBe(true);
    expect(creators.some((c) => c.history.gmvCents > 0)).toBe(true);
    const standings = new Set(creators.map((c) => c.standing));
    expect(standings).toContain('restricted');
    expect(standings).toContain('active');
  });

  it('makes its four campaigns records with a brief and terms, every sample in one of them', async () => {
    const { campaigns } = (
      await p.api<{
        campaigns: { id: string; briefMd: string; deliverables: unknown[]; sampleCounts: { samples: number } }[];
      }>('/api/campaigns')
    ).body;
    const demo = campaigns.filter((c) => c.id !== 'unassigned');
    expect(demo.map((c) => c.id).sort()).toEqual(['always-on', 'holiday-gadget-drop', 'snack-season', 'spring-glow']);
    for (const c of demo) {
      expect(c.briefMd).not.toBe('');
      expect(c.deliverables.length).toBeGreaterThan(0);
    }
    expect(demo.reduce((n, c) => n + c.sampleCounts.samples, 0)).toBe(samples.length);
  });

  it('does not seed again on a second start', async () => {
    expect(await seedDemoHistory(p, { now: NOW })).toBeUndefined();
    const again = (await p.api<{ samples: Sample[] }>('/api/samples?limit=1000')).body.samples;
    expect(again.length).toBe(samples.length);
  });
});

describe('demo history plan', () => {
  it('is the same plan for the same seed and clock', () => {
    const now = Date.UTC(2026, 5, 1);
    expect(planDemoHistory(2026, now, 90)).toEqual(planDemoHistory(2026, now, 90));
  });
});

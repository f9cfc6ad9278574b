import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { programApi } from './sample-program.support.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
  const api = programApi(p);
  for (let c = 0; c < 50; c++) await api.creator(`@imp${c}`);
  for (let s = 0; s < 20; s++) await api.product(`IMP-${s}`, { inventoryOnHand: 1000 });
});
afterAll(async () => {
  await p?.close();
});

const HEADER = 'creator,sku,campaign,source,variant,quantity';
/** 1,000 distinct (creator, SKU) requests; line n + 2 holds row n (the header is line 1). */
const goodRows = () =>
  Array.from({ length: 1000 }, (_, n) => `@imp${n % 50},IMP-${Math.floor(n / 50)},camp-${n % 3},form,,1`);
const post = async (csv: string, query = '') =>
  fetch(`${p.httpUrl}/api/samples/import${query}`, {
    method: 'POST',
    headers: { ...(await p.authHeaders()), 'content-type': 'text/csv' },
    body: csv,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const countSamples = async () =>
  (await p.db.pool.query<{ n: number }>('select count(*)::int as n from samples')).rows[0]!.n;

describe('bulk CSV import: all or nothing', () => {
  it('a 1,000-row file with bad rows reports each of them and creates nothing', async () => {
    const rows = goodRows();
    const bad: Record<number, string> = {
      3: '@imp3,IMP-0,camp,carrier-pigeon,,1', // unknown source
      250: '@nobody,IMP-5,camp,form,,1', // unknown creator
      501: '@imp1,NO-SUCH-SKU,camp,dm,,1', // unknown SKU
      777: '@imp27,IMP-15,camp,email,,0', // quantity below 1
      998: '@imp48,IMP-19,camp', // too few fields
    };
    for (const [n, row] of Object.entries(bad)) rows[Number(n)] = row;
    const before = await countSamples();
    const res = await post([HEADER, ...rows].join('\n'));
    expect(res.status).toBe(400);
    const error = res.body.error as { code: string; details: { refusedRows: { line: number; errors: string[] }[] } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.refusedRows.map((r) => r.line)).toEqual(Object.keys(bad).map((n) => Number(n) + 2));
    expect(error.details.refusedRows[1]?.errors).toEqual(['creator: @nobody does not exist']);
    expect(await countSamples()).toBe(before);
  });

  it('refuses a column that would name the requester: the importer is the requester', async () => {
    const res = await post('creator,sku,campaign,source,requested_by\n@imp1,IMP-1,camp,form,mallory\n');
    expect(res.status).toBe(400);
    const error = res.body.error as { code: string; message: string; details: { identityColumns: string[] } };
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { identityColumns: ['requested_by'] } });
    expect(error.message).toContain('signed-in person');
  });

  it('previews a file: each row with the decision it would get, nothing written, no sample number used', async () => {
    const before = await countSamples();
    const seq = async () =>
      (await p.db.pool.query<{ v: string }>('select last_value::text as v from sample_number_seq')).rows[0]!.v;
    const seqBefore = await seq();
    const res = await post(`${HEADER}\n@imp1,IMP-1,camp-p,form,,1\n@imp1,IMP-1,camp-p,form,,1\n`, '?preview=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      created: 0,
      preview: true,
      rows: [
        { line: 2, sampleId: 'PREVIEW-1', decision: 'approved', rule: 'auto_approve_low_risk' },
        // The second row sees the first, as the real import would: a duplicate send.
        { line: 3, sampleId: 'PREVIEW-2', decision: 'rejected', rule: 'duplicate_send' },
      ],
    });
    expect(await countSamples()).toBe(before);
    expect(await seq()).toBe(seqBefore);
  });

  // 1,000 policy decisions in one transaction: about 6 s on a quiet machine; the deadline is generous for a loaded one.
  it('the corrected file creates every row, each decided by the policy', { timeout: 180_000 }, async () => {
    const res = await post(`${HEADER}\r\n${goodRows().join('\r\n')}\r\n`);
    expect(res.status).toBe(200);
    const report = res.body as {
      created: number;
      rows: { line: number; sampleId: string; decision: string; rule: string }[];
    };
    expect(report.created).toBe(1000);
    expect(report.rows[0]).toMatchObject({ line: 2, sampleId: expect.stringMatching(/^SMP-/), decision: 'approved' });
    // Each creator gets 20 SKUs over 3 campaigns: past 3 sends in a campaign, the period limit refuses.
    expect(new Set(report.rows.map((r) => r.rule))).toEqual(new Set(['auto_approve_low_risk', 'creator_period_limit']));
    const { rows } = await p.db.pool.query<{ n: number }>(
      "select count(*)::int as n from samples where sku like 'IMP-%'",
    );
    expect(rows[0]?.n).toBe(1000);
    // Requested by whoever imported the file (the harness's admin token), not by a column.
    const { rows: by } = await p.db.pool.query<{ r: string }>(
      "select distinct requested_by as r from samples where sku like 'IMP-%'",
    );
    expect(by).toEqual([{ r: p.admin.email }]);
  });
});

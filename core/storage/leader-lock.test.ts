import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { LeaderLock } from './leader-lock.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const log = pino({ level: 'silent' });
const lock = (name: string) => new LeaderLock({ url: db.url, key: 42_424_242, name, log, retryMs: 100 });

describe('LeaderLock (real PostgreSQL)', () => {
  it('one of two holds it; on stop it is released and the other takes it', async () => {
    const [a, b] = [lock('a'), lock('b')];
    a.start();
    await waitFor(() => a.held, 10_000, 'a to lead');
    b.start();
    // b has tried (its session is there) and still stands by.
    await waitFor(async () => (await sessions()).includes('sampletrack-leader:b'), 10_000, 'b to try');
    expect(b.held).toBe(false);
    await a.stop();
    expect(a.held).toBe(false);
    await waitFor(() => b.held, 10_000, 'b to take over');
    await b.stop();
    expect(await sessions()).toEqual([]);
  });

  it('notices its session ended by the server, stops leading, and takes the lock again on a new session', async () => {
    const changes: boolean[] = [];
    const a = new LeaderLock({
      url: db.url,
      key: 42_424_243,
      name: 'c',
      log,
      retryMs: 100,
      onChange: (h) => changes.push(h),
    });
    a.start();
    await waitFor(() => a.held, 10_000, 'c to lead');
    await db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sampletrack-leader:c' and datname = current_database()`,
    );
    await waitFor(() => changes.length >= 3, 10_000, 'lost, then held again');
    expect(changes.slice(0, 3)).toEqual([true, false, true]);
    expect(a.held).toBe(true);
    await a.stop();
  });
});

async function sessions(): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `select application_name as name from pg_stat_activity
      where datname = current_database() and application_name like 'sampletrack-leader:%' order by 1`,
  );
  return rows.map((r) => r.name);
}

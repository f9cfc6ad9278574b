import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { PlatformProcess, trackerFleet } from './support.ts';

/**
 * No loss, no duplicates, under faults: the real platform process, real trackers over
 * MQTT, every reading counted from the simulator to the table.
 */
let db: TestDatabase;
let platform: PlatformProcess;
let mqttUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const [http, mqttPort, ws] = [await freePort(), await freePort(), await freePort()];
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  platform = new PlatformProcess({
    DATABASE_URL: db.url,
    HTTP_PORT: String(http),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(ws),
    DEMO_FLEET: '0',
    FOLLOW_UP_INTERVAL_S: '0',
    LOG_LEVEL: 'error',
  });
  await platform.start();
}, 120_000);
afterAll(async () => {
  if (platform?.exitCode === null) await platform.kill('SIGTERM');
  await db?.drop();
});

async function count(prefix: string) {
  const { rows } = await db.pool.query<{ n: number; distinct: number }>(
    `select count(*)::int as n, count(distinct (device_id, seq))::int as distinct from telemetry where device_id like $1`,
    [`${prefix}%`],
  );
  return rows[0]!;
}

function report(name: string, sent: number, stored: { n: number; distinct: number }) {
  console.log(
    `[fault: ${name}] sent ${sent}, stored ${stored.distinct}, duplicated ${stored.n - stored.distinct}, lost ${sent - stored.distinct}`,
  );
}

describe('no reading lost or stored twice under faults', () => {
  it('ingest killed (SIGKILL) mid-stream and restarted', { timeout: 120_000 }, async () => {
    const creds = await platform.provision('trk-kill', 10);
    // Enough readings that the kill lands while they are flowing, on a fast machine too.
    const fleet = trackerFleet(mqttUrl, creds, 1000);
    await waitFor(() => fleet.ackedCount() > 0, 10_000, 'readings flowing');
    const before = fleet.ackedCount();
    expect(before).toBeLessThan(fleet.sent());
    await platform.kill('SIGKILL');
    // Every reading acknowledged before the kill was already committed.
    const afterKill = await count('trk-kill-');
    expect(afterKill.distinct).toBeGreaterThanOrEqual(before);
    await platform.start();
    await fleet.finished;
    await fleet.stop();
    const stored = await count('trk-kill-');
    report('SIGKILL', fleet.sent(), stored);
    expect(stored).toEqual({ n: fleet.sent(), distinct: fleet.sent() });
  });

  it('graceful shutdown (SIGTERM) stores every accepted reading before exit', { timeout: 120_000 }, async () => {
    const creds = await platform.provision('trk-term', 10);
    const fleet = trackerFleet(mqttUrl, creds, 1000);
    await waitFor(() => fleet.ackedCount() > 0, 10_000, 'readings flowing');
    const code = await platform.kill('SIGTERM');
    expect(code, platform.output.slice(-3000)).toBe(0);
    const acked = fleet.ackedCount();
    const atExit = await count('trk-term-');
    // Acknowledged means stored; the shutdown also stored what it had accepted but not yet acknowledged.
    expect(atExit.distinct).toBeGreaterThanOrEqual(acked);
    expect(atExit.n).toBe(atExit.distinct);
    await platform.start();
    await fleet.finished;
    await fleet.stop();
    const stored = await count('trk-term-');
    report('SIGTERM', fleet.sent(), stored);
    expect(stored).toEqual({ n: fleet.sent(), distinct: fleet.sent() });
  });
});

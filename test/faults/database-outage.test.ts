import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../core/storage/embedded-postgres.ts';
import { freePort, serverPort } from '../support/free-port.ts';
import { waitFor } from '../support/wait-for.ts';
import { PlatformProcess, trackerFleet } from './support.ts';

/**
 * PostgreSQL stopped for 30 s under load: ingest holds the input (no PUBACK without a
 * commit), reports unready, and catches up afterwards with nothing lost or doubled.
 * A database of its own, so stopping it touches no other test.
 */
let dir: string;
let pgPort: number;
let db: EmbeddedDatabase;
let platform: PlatformProcess;
let mqttUrl: string;

const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 30_000);
const startDb = () => startEmbeddedPostgres({ dir: join(dir, 'db'), port: pgPort });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sampletrack-outage-'));
  await chmod(dir, 0o777);
  pgPort = await serverPort();
  db = await startDb();
  const [http, mqttPort, ws] = [await freePort(), await freePort(), await freePort()];
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  platform = new PlatformProcess({
    DATABASE_URL: db.url,
    HTTP_PORT: String(http),
    MQTT_PORT: String(mqttPort),
    MQTT_WS_PORT: String(ws),
    DEMO_FLEET: '0',
    FOLLOW_UP_INTERVAL_S: '0',
    LOG_LEVEL: 'warn',
  });
  await platform.start();
}, 120_000);

afterAll(async () => {
  if (platform?.exitCode === null) await platform.kill('SIGKILL');
  await db?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL down for 30 s under load', () => {
  it('holds the input, reports unready, and catches up with no loss', { timeout: 360_000 }, async () => {
    const creds = await platform.provision('trk-pg', 10);
    const fleet = trackerFleet(mqttUrl, creds, 400, 8);
    // The outage starts with the whole fleet signed in and publishing (a sign-in needs the
    // database; one refused during the outage is retried and is not what this test is about).
    await waitFor(() => fleet.connectedCount() === creds.length, 30_000, 'every tracker to connect');
    await new Promise((r) => setTimeout(r, 300));
    await db.stop();
    const stoppedAt = Date.now();
    // Unready while the database is away; the process keeps running and holds what it was sent.
    const ready = await waitFor(
      async () => {
        const res = await fetch(`${platform.httpUrl}/readyz`);
        return res.status === 503 ? ((await res.json()) as { checks: Record<string, { ok: boolean }> }) : undefined;
      },
      15_000,
      '/readyz to report the outage',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${platform.output.slice(-3000)}`);
    });
    expect(ready.checks.database?.ok).toBe(false);
    const ackedDuringOutage = fleet.ackedCount();
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    // Nothing is acknowledged without a commit.
    expect(fleet.ackedCount()).toBe(ackedDuringOutage);
    expect(platform.exitCode).toBeNull();
    db = await startDb();
    await Promise.race([
      fleet.finished,
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(
              new Error(
                `not caught up: acked ${fleet.ackedCount()} of ${fleet.sent()}\n${platform.output.slice(-4000)}`,
              ),
            ),
          // Catching up is retries with back-off on a machine that may be busy: a generous
          // deadline, since what is asserted is that it gets there, with nothing lost.
          180_000,
        ),
      ),
    ]);
    await fleet.stop();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: number; distinct: number }>(
      `select count(*)::int as n, count(distinct (device_id, seq))::int as distinct from telemetry where device_id like 'trk-pg-%'`,
    );
    await client.end();
    const sent = fleet.sent();
    console.log(
      `[fault: database down ${OUTAGE_MS / 1000} s] sent ${sent}, stored ${rows[0]!.distinct}, duplicated ${rows[0]!.n - rows[0]!.distinct}, lost ${sent - rows[0]!.distinct}`,
    );
    expect(rows[0]).toEqual({ n: sent, distinct: sent });
    await waitFor(async () => (await fetch(`${platform.httpUrl}/readyz`)).ok, 15_000, 'ready again');
  });
});

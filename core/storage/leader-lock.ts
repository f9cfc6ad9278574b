import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

/**
 * Every PostgreSQL advisory lock key of the platform, in one place so two never collide.
 * Any constants work; they only have to be the same in every process of one deployment.
 */
export const ADVISORY_LOCKS = {
  /** Held while migrations run (core/storage/migrate.ts): concurrent starts wait in turn. */
  migrate: 7_301_944,
  // The jobs that must run in one process at a time (a `jobs` role process leads each).
  followUps: 7_301_945,
  escalation: 7_301_946,
  digests: 7_301_947,
  tiktok: 7_301_948,
} as const;

export type LeaderJob = Exclude<keyof typeof ADVISORY_LOCKS, 'migrate'>;
export const LEADER_JOBS = Object.keys(ADVISORY_LOCKS).filter((k) => k !== 'migrate') as LeaderJob[];

export interface LeaderLockOptions {
  url: string;
  key: number;
  /** Shown in logs and in pg_stat_activity (application_name sampletrack-leader:<name>). */
  name: string;
  log: Logger;
  /** How often a standby tries to take the lock, and a leader checks it still has its session. */
  retryMs?: number;
  onChange?: (held: boolean) => void;
}

/**
 * Leadership of one job: a session-level `pg_try_advisory_lock` on a connection of its own
 * (never a pooled one, whose session would hand the lock to whoever borrows it next).
 * A standby tries again every `retryMs`. The lock lives as long as the session: a process
 * killed with SIGKILL, or a connection the server drops, frees it, and a standby takes it
 * at its next try. A leader checks its session on the same clock (and at once on a
 * connection error), so it stops leading within one period of losing it; a query that
 * hangs (partition) times out. Work done at the handover edge is still guarded by the
 * rows themselves (idempotency keys, FOR UPDATE SKIP LOCKED).
 */
export class LeaderLock {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  private isHeld = false;
  private readonly retryMs: number;

  constructor(private readonly o: LeaderLockOptions) {
    this.retryMs = o.retryMs ?? 5000;
  }

  /** True while this process holds the lock (as of the last check, at most `retryMs` ago). */
  get held(): boolean {
    return this.isHeld;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.isHeld) await client.query('select pg_advisory_unlock($1)', [this.o.key]).catch(() => {});
    this.set(false);
    await client.end().catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.tryOnce().finally(() => this.schedule(this.retryMs));
    }, ms);
  }

  private async tryOnce(): Promise<void> {
    try {
      const client = this.client ?? (await this.connect());
      if (this.isHeld) {
        await client.query('select 1');
        return;
      }
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [this.o.key]);
      if (rows[0]?.ok) this.set(true);
    } catch (err) {
      this.lost(err as Error);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.o.url,
      application_name: `sampletrack-leader:${this.o.name}`,
      keepAlive: true,
      connectionTimeoutMillis: this.retryMs * 2,
      query_timeout: this.retryMs * 2,
    });
    client.on('error', (err) => {
      if (this.client === client) this.lost(err);
    });
    client.on('end', () => {
      if (this.client === client) this.lost(new Error('connection ended'));
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  /** The session is gone or suspect: so is the lock. The next round reconnects. */
  private lost(err: Error): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => {});
    if (this.isHeld) this.o.log.warn({ job: this.o.name, err: err.message }, 'leader lock lost');
    this.set(false);
  }

  private set(held: boolean): void {
    if (held === this.isHeld) return;
    this.isHeld = held;
    if (held) this.o.log.info({ job: this.o.name }, 'leading');
    this.o.onChange?.(held);
  }
}

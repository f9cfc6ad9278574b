import type { Env } from '../core/config/env.ts';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import { ADVISORY_LOCKS, LEADER_JOBS, LeaderLock, type LeaderJob } from '../core/storage/leader-lock.ts';
import type { Services } from '../core/services/index.ts';
import type { Stoppable } from './step-runner.ts';

/** The once-only jobs of a `jobs` process: which it leads now. */
export interface Leaders extends Stoppable {
  /** True when this process leads `job` now, and then counts a run of it (sampletrack_job_runs_total). */
  take(job: LeaderJob): boolean;
  /** The jobs this process leads right now. */
  held(): LeaderJob[];
}

/**
 * One leader lock per once-only job (core/storage/leader-lock.ts), each on its own
 * connection, so two `jobs` processes can split them and one that dies hands each over.
 * The deliveries (webhooks, outbox, email, notices) need none: they claim their rows with
 * FOR UPDATE SKIP LOCKED under a lease, so every `jobs` process runs them side by side.
 */
export async function startLeaders(env: Env, url: string, metrics: Metrics, log: Logger): Promise<Leaders> {
  const locks = new Map<LeaderJob, LeaderLock>(
    LEADER_JOBS.map((job) => [
      job,
      new LeaderLock({
        url,
        key: ADVISORY_LOCKS[job],
        name: job,
        log: log.child({ part: 'leader' }),
        retryMs: env.LEADER_RETRY_S * 1000,
        onChange: (held) => metrics.leader.set({ job }, held ? 1 : 0),
      }),
    ]),
  );
  for (const job of LEADER_JOBS) metrics.leader.set({ job }, 0);
  for (const lock of locks.values()) lock.start();
  return {
    take(job) {
      if (!locks.get(job)?.held) return false;
      metrics.jobRuns.inc({ job });
      return true;
    },
    held: () => LEADER_JOBS.filter((job) => locks.get(job)?.held),
    stop: async () => {
      await Promise.all([...locks.values()].map((l) => l.stop()));
    },
  };
}

/**
 * The escalation ladders of unacknowledged alerts and notices, on a clock, in the process
 * that leads `escalation` (each tier is also written once per key, so a handover repeats none).
 */
export async function startEscalation(services: Services, leaders: Leaders, log: Logger): Promise<Stoppable> {
  let running: Promise<unknown> = Promise.resolve();
  const ticker = setInterval(() => {
    if (!leaders.take('escalation')) return;
    running = Promise.all([
      services.alerts.escalate().catch((err: unknown) => log.error({ err }, 'escalation check failed')),
      services.notifications.escalate().catch((err: unknown) => log.error({ err }, 'notification escalation failed')),
    ]);
  }, 30_000);
  return {
    stop: async () => {
      clearInterval(ticker);
      await running;
    },
  };
}

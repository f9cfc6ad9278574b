import type { Logger } from '../core/observability/logger.ts';
import type { TikTokConnectorService } from '../core/services/tiktok-connector.service.ts';
import { TikTokConnectorRepository } from '../core/storage/repositories/tiktok-connector.repository.ts';
import type { Pool } from '../core/storage/database.ts';

/**
 * Polls TikTok Shop on the connector row's own interval (poll_interval_s), re-read every
 * round so an admin's change applies without a restart. A disabled, paused or backing-off
 * connector is skipped by the service; a failed poll is on the row (last_error), so the
 * loop only logs it.
 */
export function startTikTokPoller(opts: {
  pool: Pool;
  service: TikTokConnectorService;
  log: Logger;
  /** Asked each round: may this process poll now (it leads `tiktok`)? Default yes. */
  runIf?: () => boolean;
}): {
  stop(): Promise<void>;
} {
  const repo = new TikTokConnectorRepository(opts.pool);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const schedule = async () => {
    const intervalS = await repo.get().then(
      (c) => c.pollIntervalS,
      () => 300,
    );
    if (!stopped) timer = setTimeout(tick, intervalS * 1000);
  };
  const tick = () => {
    if (opts.runIf && !opts.runIf()) {
      running = schedule();
      return;
    }
    running = opts.service
      .poll()
      .then(
        (r) => {
          if (r.outcome === 'ok') opts.log.info({ created: r.created, posts: r.posts }, 'tiktok poll');
          else if (r.outcome !== 'skipped') opts.log.warn({ outcome: r.outcome, error: r.error }, 'tiktok poll failed');
        },
        (err: Error) => opts.log.error({ err: err.message }, 'tiktok poll failed'),
      )
      .finally(schedule);
  };
  running = schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

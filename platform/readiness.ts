import type { ReadinessCheck } from '../api/app.ts';
import type { ChangeListener } from '../core/storage/change-listener.ts';
import type { Pool } from '../core/storage/database.ts';
import type { Leaders } from './leaders.ts';
import type { TrackerInput } from './steps.ts';

/**
 * What /readyz reports, for the parts this process runs: the database always; the broker
 * and ingest lag with tracker input; the change listener with the live feed. A `jobs`
 * process also says which once-only jobs it leads (a standby is ready too).
 */
export function readinessOf(o: {
  pool: Pool;
  input?: TrackerInput | undefined;
  listener?: ChangeListener | undefined;
  leaders?: Leaders | undefined;
}): () => Promise<Record<string, ReadinessCheck>> {
  return async () => {
    const checks: Record<string, ReadinessCheck> = {
      database: await o.pool.query('select 1').then(
        () => ({ ok: true }),
        (e: Error) => ({ ok: false, detail: e.message }),
      ),
    };
    const { input, listener, leaders } = o;
    if (input) {
      const { ingest } = input;
      checks.broker = input.ready() ? { ok: true } : { ok: false, detail: 'not connected' };
      checks.ingest =
        ingest.writer.healthy && ingest.lagMs() < 30_000
          ? { ok: true, detail: `lag ${ingest.lagMs()} ms` }
          : { ok: false, detail: `lag ${ingest.lagMs()} ms, writes ${ingest.writer.healthy ? 'ok' : 'failing'}` };
    }
    if (listener)
      checks.live = listener.connected ? { ok: true } : { ok: false, detail: 'change listener reconnecting' };
    if (leaders) {
      const held = leaders.held();
      checks.leader = { ok: true, detail: held.length ? `leads ${held.join(', ')}` : 'standby' };
    }
    return checks;
  };
}

import type { Pool } from '../storage/database.ts';

/**
 * What every service's constructor takes, as one object: the pool, over which the service
 * builds its repositories (or over a transaction it opens), and the clock. A service that
 * needs more names it beside these: its configuration, the services it calls.
 * createServices (./index.ts) builds them all this way.
 */
export interface ServiceDeps {
  pool: Pool;
  /** The clock; tests pin it. The wall clock when absent. */
  now?: () => Date;
}

export const wallClock = (): Date => new Date();

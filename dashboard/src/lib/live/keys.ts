/**
 * What each live message means for the pages' loads: the dependency keys (`depends()` in a
 * page's +page.ts) it makes stale, and how soon each must be reloaded. Pure: no SvelteKit,
 * no socket; unit-tested in test/dashboard/live-keys.test.ts.
 *
 * The live feed carries full rows, so a page showing parcels or exceptions updates them in
 * place (LiveFeed.listen); a key is invalidated only for what the feed cannot place: after
 * a (re)connection or the server's resync, and for loads that are not a list of rows (the
 * inbox's groups and totals, a sample's timeline and figures).
 */

/** Every `depends()` key of the dashboard, in one place. */
export const DEPENDS = {
  /** The parcel snapshot (parcels page, map). Rows update in place; reloaded on resync. */
  parcels: 'app:parcels',
  /** The exception inbox: groups, totals, paging. */
  exceptions: 'app:exceptions',
  /** The samples list. */
  samples: 'app:samples',
  /** Any sample page (its actions reload it); one sample's own key is `sampleKey(id)`. */
  sample: 'app:sample',
  fleet: 'app:fleet',
  creators: 'app:creators',
  creator: 'app:creator',
  kpis: 'app:kpis',
  policy: 'app:policy',
  followUps: 'app:followups',
  outbox: 'app:outbox',
  /** The admin pages (users, tokens, webhooks, audit): reloaded after each change. */
  admin: 'app:admin',
  products: 'app:products',
  approvals: 'app:approvals',
  campaigns: 'app:campaigns',
} as const;

export type DependsKey = (typeof DEPENDS)[keyof typeof DEPENDS];

/** One sample page's key: the live feed reloads only the page of the sample that changed. */
export const sampleKey = (id: string): `app:sample:${string}` => `${DEPENDS.sample}:${id}`;

// Only the fields the mapping reads: full Parcel, ConditionException and Alert rows fit.
// (Written out, not imported from lib/api: this module stays free of imports, so the unit
// tests load it as it is.)
export type LiveMessage =
  | { type: 'resync' }
  | { type: 'parcels'; parcels: readonly { deviceId: string; sampleId: string | null }[] }
  | { type: 'exceptions'; exceptions: readonly { id: number; sampleId: string }[] }
  | { type: 'alerts'; alerts: readonly { id: number; sampleId: string | null }[] };

/** A key to reload, at the latest `withinMs` from now (changes meanwhile share one reload). */
export interface Invalidation {
  key: string;
  withinMs: number;
}

/**
 * A busy tracker reports every few seconds: its sample's page reloads at most this often.
 * An exception is what a person acts on, so it reloads the sample page at once.
 */
export const SAMPLE_READINGS_EVERY_MS = 5000;
/** The inbox's groups and totals follow live changes at most once a second. */
export const INBOX_EVERY_MS = 1000;

/**
 * How soon a key is reread after a (re)connection or the server's resync: at once, but the
 * inbox within a second and a sample page within a few seconds, as for their live changes.
 */
export function resyncWithinMs(key: string): number {
  if (key === DEPENDS.exceptions) return INBOX_EVERY_MS;
  if (key === DEPENDS.sample || key.startsWith(`${DEPENDS.sample}:`)) return SAMPLE_READINGS_EVERY_MS;
  return 0;
}

function perSample(ids: Iterable<string | null | undefined>, withinMs: number): Invalidation[] {
  const seen = new Set<string>();
  for (const id of ids) if (id) seen.add(id);
  return [...seen].map((id) => ({ key: sampleKey(id), withinMs }));
}

/**
 * The keys a live message makes stale, each once, among `watched`: the keys of the loads on
 * screen. Only those are invalidated: SvelteKit's invalidate drops the result of a reload
 * still in flight when another starts, so reloads nobody needs would starve the one that is.
 * A resync makes every watched key stale.
 */
export function invalidationsFor(message: LiveMessage, watched: ReadonlySet<string>): Invalidation[] {
  return staleKeys(message, watched).filter((i) => watched.has(i.key));
}

function staleKeys(message: LiveMessage, watched: ReadonlySet<string>): Invalidation[] {
  switch (message.type) {
    case 'resync':
      return [...watched].map((key) => ({ key, withinMs: resyncWithinMs(key) }));
    case 'parcels':
      // The parcels page, the map, the fleet and the samples list take parcels in place.
      return perSample(
        message.parcels.map((p) => p.sampleId),
        SAMPLE_READINGS_EVERY_MS,
      );
    case 'exceptions':
      return [
        { key: DEPENDS.exceptions, withinMs: INBOX_EVERY_MS },
        ...perSample(
          message.exceptions.map((e) => e.sampleId),
          0,
        ),
      ];
    case 'alerts':
      return perSample(
        message.alerts.map((a) => a.sampleId),
        SAMPLE_READINGS_EVERY_MS,
      );
  }
}

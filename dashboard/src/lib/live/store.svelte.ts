import { invalidate } from '$app/navigation';
import { navigating } from '$app/state';
import type { Alert, ConditionException, Parcel } from '../api';
import { invalidationsFor, resyncWithinMs, type LiveMessage } from './keys';
import { InvalidationScheduler } from './scheduler';
import { subscribeLive, type LiveState } from './socket';

/** What a page takes from the feed in place (rows it shows), besides its invalidated loads. */
export interface LiveListener {
  onResync?(): void;
  onParcels?(parcels: Parcel[]): void;
  onExceptions?(exceptions: ConditionException[]): void;
  onAlerts?(alerts: Alert[]): void;
}

/**
 * The dashboard's one subscription to /api/live, opened by the layout for as long as
 * someone is signed in. Each message invalidates the dependency keys it makes stale
 * (lib/live/keys.ts) and is handed to the listeners of the page on screen.
 */
class LiveFeed {
  state = $state<LiveState>({ kind: 'connecting', attempt: 0 });
  #listeners = new Set<LiveListener>();
  /** The keys of the loads on screen, as their pages declared them (a key may be twice). */
  #watched: string[] = [];
  #scheduler = new InvalidationScheduler({
    invalidate: (key) => invalidate(key),
    navigating: () => navigating.to !== null,
  });

  #apply(message: LiveMessage): void {
    const watched = new Set(this.#watched);
    for (const { key, withinMs } of invalidationsFor(message, watched)) this.#scheduler.request(key, withinMs);
  }

  #each(call: (l: LiveListener) => void): void {
    for (const l of [...this.#listeners]) call(l);
  }

  /** Opens the feed; returns the function that closes it. */
  start(): () => void {
    const stop = subscribeLive({
      onResync: () => {
        this.#apply({ type: 'resync' });
        this.#each((l) => l.onResync?.());
      },
      onParcels: (parcels) => {
        this.#apply({ type: 'parcels', parcels });
        this.#each((l) => l.onParcels?.(parcels));
      },
      onExceptions: (exceptions) => {
        this.#apply({ type: 'exceptions', exceptions });
        this.#each((l) => l.onExceptions?.(exceptions));
      },
      onAlerts: (alerts) => {
        this.#apply({ type: 'alerts', alerts });
        this.#each((l) => l.onAlerts?.(alerts));
      },
      onState: (state) => (this.state = state),
    });
    return () => {
      stop();
      this.#scheduler.dispose();
    };
  }

  /**
   * Hands live rows to a page while it is mounted, and keeps `keys` (the `depends()` keys
   * of its live-backed loads) current; returns the function that stops. The page's data was
   * loaded before it listened: when the feed is already open, what it sent meanwhile is
   * missed, so `keys` are reloaded once (as a resync would).
   */
  listen(listener: LiveListener, keys: readonly string[] = []): () => void {
    this.#listeners.add(listener);
    this.#watched.push(...keys);
    if (this.state.kind === 'open') for (const key of keys) this.#scheduler.request(key, resyncWithinMs(key));
    return () => {
      this.#listeners.delete(listener);
      for (const key of keys) {
        const at = this.#watched.indexOf(key);
        if (at >= 0) this.#watched.splice(at, 1);
      }
    };
  }

  /**
   * Rereads `key` every `everyMs` while the tab is visible: for what never comes over the
   * feed (an untracked sample's status, a tracker that is in no sample).
   */
  refreshEvery(key: string, everyMs: number): () => void {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') this.#scheduler.request(key, 0);
    }, everyMs);
    return () => clearInterval(timer);
  }

  /** Reloads `key` within `withinMs` (now by default), through the same coalescing (after an action on the page). */
  reload(key: string, withinMs = 0): void {
    this.#scheduler.request(key, withinMs);
  }
}

export const liveFeed = new LiveFeed();

import type { Parcel } from './api';

/**
 * The live feed: a WebSocket to /api/live on the same host as the page. The server greets
 * each connection with `{"type":"hello"}` and then sends `{"type":"parcels","parcels":[…]}`
 * with the full state of every parcel that changed, and `{"type":"resync"}` when it may
 * itself have missed changes. When the connection drops, it is
 * reopened with exponential back-off and jitter, so a restarted server is not stampeded
 * by every open dashboard at once.
 */

export type LiveState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number }
  | { kind: 'waiting'; attempt: number; retryAt: number };

export interface LiveHandlers {
  /**
   * Changes may have been missed and will never be sent: on every (re)connection (nothing
   * is sent while there is none) and when the server says so. The caller must reload its
   * snapshot.
   */
  onResync(): void;
  /** Parcels that changed, each in its full latest state. */
  onParcels(parcels: Parcel[]): void;
  onState?(state: LiveState): void;
}

export interface LiveOptions {
  url?: string;
  /** First retry delay; doubled on each failed attempt up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

// A connection that stayed up this long counts as healthy: the next drop retries quickly
// again. Shorter-lived ones keep backing off, so a server that accepts and then crashes
// at once is not hammered.
const HEALTHY_AFTER_MS = 10_000;

export function liveUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/live`;
}

/** Opens the live feed; returns a function that closes it for good. */
export function subscribeLive(handlers: LiveHandlers, options: LiveOptions = {}): () => void {
  const url = options.url ?? liveUrl();
  const minDelayMs = options.minDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;

  let socket: WebSocket | null = null;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const setState = (state: LiveState) => handlers.onState?.(state);

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (closed) return;
    setState({ kind: 'connecting', attempt });
    const ws = new WebSocket(url);
    socket = ws;
    let openedAt = 0;

    ws.onopen = () => {
      openedAt = Date.now();
      setState({ kind: 'open', since: openedAt });
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // Not ours to crash on; the next message will do.
      }
      dispatch(message);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      if (openedAt && Date.now() - openedAt >= HEALTHY_AFTER_MS) attempt = 0;
      scheduleRetry();
    };
    // An error is always followed by close, which does the retrying.
    ws.onerror = () => {};
  }

  function dispatch(message: unknown) {
    if (typeof message !== 'object' || message === null) return;
    const { type } = message as { type?: unknown };
    if (type === 'hello' || type === 'resync') {
      handlers.onResync();
    } else if (type === 'parcels') {
      const parcels = (message as { parcels?: unknown }).parcels;
      if (!Array.isArray(parcels)) return;
      const valid = parcels.filter(
        (p): p is Parcel => typeof p === 'object' && p !== null && typeof (p as Parcel).deviceId === 'string',
      );
      if (valid.length) handlers.onParcels(valid);
    }
    // Other types are ignored: the server may add messages before this client knows them.
  }

  function scheduleRetry() {
    const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    attempt += 1;
    setState({ kind: 'waiting', attempt, retryAt: Date.now() + delay });
    retryTimer = setTimeout(connect, delay);
  }

  // Back online, or back on this tab: no reason to sit out the rest of a long back-off.
  const retryNow = () => {
    if (retryTimer !== undefined && document.visibilityState === 'visible') connect();
  };
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', retryNow);

  connect();

  return () => {
    closed = true;
    clearTimeout(retryTimer);
    window.removeEventListener('online', retryNow);
    document.removeEventListener('visibilitychange', retryNow);
    socket?.close(1000, 'page closed');
    socket = null;
  };
}

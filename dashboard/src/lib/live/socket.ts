import type { Alert, ConditionException, Parcel } from '../api';

/**
 * The live feed: a WebSocket to /api/live on the same host as the page. The server greets
 * each connection with `{"type":"hello"}` and then sends `{"type":"parcels","parcels":[…]}`
 * with the full state of every parcel that changed, and `{"type":"resync"}` when it may
 * itself have missed changes. When the connection drops, it is
 * reopened with exponential back-off and jitter, so a restarted server is not stampeded
 * by every open dashboard at once.
 *
 * It also sends `{"type":"exceptions","exceptions":[…]}` (full rows of changed condition
 * exceptions) and `{"type":"alerts","alerts":[…]}` (new alerts). One socket per tab is
 * shared by every subscriber (the nav's badge and the page on screen).
 *
 * The socket authenticates like every API call, with the session cookie the browser sends
 * on the same-origin upgrade; the API refuses it (401) when signed out. A refused socket
 * just backs off: the next API call's 401 takes the page to the sign-in page.
 */

import type { LiveState } from './state.ts';

export type { LiveState };

export interface LiveHandlers {
  /**
   * Changes may have been missed and will never be sent: on every (re)connection (nothing
   * is sent while there is none) and when the server says so. The caller must reload its
   * snapshot.
   */
  onResync?(): void;
  /** Parcels that changed, each in its full latest state. */
  onParcels?(parcels: Parcel[]): void;
  /** Exceptions that changed (opened, ended, acknowledged, resolved…), each in full. */
  onExceptions?(exceptions: ConditionException[]): void;
  /** Alerts just raised. */
  onAlerts?(alerts: Alert[]): void;
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

interface SharedConnection {
  subscribers: Set<LiveHandlers>;
  state: LiveState;
  close(): void;
}

const connections = new Map<string, SharedConnection>();

/**
 * Subscribes to the live feed; returns a function that ends the subscription. The socket
 * is opened by the first subscriber and closed with the last. A subscriber joining an
 * open socket gets `onResync` at once: what its snapshot missed was sent before it joined.
 */
export function subscribeLive(handlers: LiveHandlers, options: LiveOptions = {}): () => void {
  const url = options.url ?? liveUrl();
  let connection = connections.get(url);
  let active = true;
  if (!connection) {
    const subscribers = new Set<LiveHandlers>([handlers]);
    const each = (call: (h: LiveHandlers) => void) => {
      for (const h of [...subscribers]) call(h);
    };
    const shared: SharedConnection = { subscribers, state: { kind: 'connecting', attempt: 0 }, close: () => {} };
    connections.set(url, shared);
    connection = shared;
    shared.close = openLiveSocket(
      {
        onResync: () => each((h) => h.onResync?.()),
        onParcels: (p) => each((h) => h.onParcels?.(p)),
        onExceptions: (e) => each((h) => h.onExceptions?.(e)),
        onAlerts: (a) => each((h) => h.onAlerts?.(a)),
        onState: (state) => {
          shared.state = state;
          each((h) => h.onState?.(state));
        },
      },
      { ...options, url },
    );
  } else {
    connection.subscribers.add(handlers);
    handlers.onState?.(connection.state);
    if (connection.state.kind === 'open') {
      queueMicrotask(() => {
        if (active) handlers.onResync?.();
      });
    }
  }
  const joined = connection;
  return () => {
    if (!active) return;
    active = false;
    joined.subscribers.delete(handlers);
    if (joined.subscribers.size === 0) {
      joined.close();
      if (connections.get(url) === joined) connections.delete(url);
    }
  };
}

/** Opens one socket with reconnection; returns a function that closes it for good. */
function openLiveSocket(handlers: Required<LiveHandlers>, options: LiveOptions & { url: string }): () => void {
  const url = options.url;
  const minDelayMs = options.minDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;

  let socket: WebSocket | null = null;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const setState = (state: LiveState) => handlers.onState(state);

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
    } else if (type === 'exceptions') {
      const list = (message as { exceptions?: unknown }).exceptions;
      if (!Array.isArray(list)) return;
      const valid = list.filter(
        (e): e is ConditionException =>
          typeof e === 'object' && e !== null && typeof (e as ConditionException).id === 'number',
      );
      if (valid.length) handlers.onExceptions(valid);
    } else if (type === 'alerts') {
      const list = (message as { alerts?: unknown }).alerts;
      if (!Array.isArray(list)) return;
      const valid = list.filter(
        (a): a is Alert => typeof a === 'object' && a !== null && typeof (a as Alert).id === 'number',
      );
      if (valid.length) handlers.onAlerts(valid);
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

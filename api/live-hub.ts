import type { WebSocket } from 'ws';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { ChangeListener } from '../core/storage/change-listener.ts';
import {
  ALERT_CHANNEL,
  EXCEPTION_CHANNEL,
  type Alert,
  type ConditionException,
  type LiveMessage,
  type Parcel,
} from '../core/events.ts';

const MAX_PARCELS_PER_MESSAGE = 500;

/**
 * Fans parcel changes out to every /api/live socket. Changes are coalesced for
 * `intervalMs`, so a parcel reporting ten times in that window is sent once, and one
 * query serves every client. A slow client is skipped rather than buffered without
 * bound; it catches up with the next message, which carries full parcel states.
 */
export class LiveHub {
  private readonly sockets = new Set<WebSocket>();
  private readonly dirty = new Set<string>();
  private readonly dirtyExceptions = new Set<number>();
  private readonly newAlerts = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      listener: ChangeListener;
      load: (ids: string[]) => Promise<Parcel[]>;
      loadExceptions: (ids: number[]) => Promise<ConditionException[]>;
      loadAlerts: (ids: number[]) => Promise<Alert[]>;
      metrics: Metrics;
      log: Logger;
      intervalMs?: number;
    },
  ) {
    o.listener.on('changed', (channel, ids) => {
      if (channel === EXCEPTION_CHANNEL) for (const id of ids) this.dirtyExceptions.add(Number(id));
      else if (channel === ALERT_CHANNEL) for (const id of ids) this.newAlerts.add(Number(id));
      else for (const id of ids) this.dirty.add(id);
      this.timer ??= setTimeout(() => void this.flush(), o.intervalMs ?? 100);
    });
    // Announcements made while the listening connection was down are lost: tell clients to refetch.
    o.listener.on('connected', () => this.broadcast({ type: 'resync' }));
    o.listener.on('error', (err) => o.log.warn({ err: err.message }, 'live listener lost its connection'));
  }

  add(socket: WebSocket): void {
    this.sockets.add(socket);
    this.o.metrics.wsClients.set(this.sockets.size);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.o.metrics.wsClients.set(this.sockets.size);
    });
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify({ type: 'hello' } satisfies LiveMessage));
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const ids = [...this.dirty];
    const exceptionIds = [...this.dirtyExceptions];
    const alertIds = [...this.newAlerts];
    this.dirty.clear();
    this.dirtyExceptions.clear();
    this.newAlerts.clear();
    if (this.sockets.size === 0) return;
    try {
      // Exceptions first: a parcel's card counts its open exceptions.
      if (exceptionIds.length) {
        const exceptions = await this.o.loadExceptions(exceptionIds);
        this.broadcast({ type: 'exceptions', exceptions });
        // A parcel's card counts its open exceptions: send the parcels too.
        for (const e of exceptions) if (!ids.includes(e.deviceId)) ids.push(e.deviceId);
      }
      if (alertIds.length) this.broadcast({ type: 'alerts', alerts: await this.o.loadAlerts(alertIds) });
      if (ids.length === 0) return;
      const parcels = await this.o.load(ids);
      // Several small messages rather than one huge one: a browser spends over 100 ms just
      // receiving a 1 MB frame, and the client merges them anyway.
      for (let i = 0; i < parcels.length; i += MAX_PARCELS_PER_MESSAGE) {
        this.broadcast({ type: 'parcels', parcels: parcels.slice(i, i + MAX_PARCELS_PER_MESSAGE) });
      }
    } catch (err) {
      this.o.log.error({ err }, 'live update failed; clients will get the next one');
    }
  }

  private broadcast(msg: LiveMessage): void {
    const text = JSON.stringify(msg);
    for (const s of this.sockets) {
      // 1 = OPEN. Skip sockets with a large unsent backlog instead of buffering without bound.
      if (s.readyState === 1 && s.bufferedAmount < 8 * 1024 * 1024) s.send(text);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const s of this.sockets) s.close(1001, 'server shutting down');
  }
}

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';

export interface ListenerOptions {
  host: string;
  port: number;
  wsPort: number;
  /** MQTT over TLS listens on this port when `tls` is given; WebSocket becomes WSS. */
  tlsPort: number;
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** The hard ceiling of one MQTT packet (MQTT_MAX_PACKET_BYTES). */
  maxPacketBytes: number;
  metrics: Metrics;
  log: Logger;
}

export interface Listeners {
  mqttUrl: string;
  mqttsUrl: string | undefined;
  mqttWsUrl: string;
  /**
   * Waits for every listener to finish closing: call it after the broker has closed,
   * since a server closes only once its connections are gone.
   */
  stop(): Promise<void>;
}

const listenTcp = (srv: TcpServer | HttpServer, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve((srv.address() as AddressInfo).port));
  });
const closeServer = (srv: TcpServer | HttpServer) => new Promise<void>((r) => srv.close(() => r()));

/**
 * The embedded broker's sockets: MQTT over TCP, over TLS when a certificate is given, and
 * over WebSocket (`/mqtt`). Every connection is first read through PacketSizeGuard.
 */
export async function startListeners(broker: Aedes, o: ListenerOptions): Promise<Listeners> {
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    // Every connection is read through the packet size check before aedes parses it. The
    // check is the hard ceiling that protects memory; a payload over the protocol's 256 KiB
    // but under it reaches ingest, which acknowledges it and keeps it as a dead letter.
    const oversized = (detail: Record<string, unknown>) => {
      o.metrics.oversizedPackets.inc();
      o.log.warn({ ...detail, limit: o.maxPacketBytes }, 'MQTT packet over the hard ceiling; connection closed');
    };
    const guarded = (conn: Duplex, ip?: string, report = oversized) =>
      new PacketSizeGuard(
        conn,
        o.maxPacketBytes,
        (refusal, guard) =>
          report({
            ip: guard.remoteAddress,
            deviceId: (guard as PacketSizeGuard & { client?: { id?: string | null } }).client?.id,
            reason: refusal.reason,
            ...(refusal.reason === 'too_large' ? { remainingLength: refusal.remainingLength } : {}),
          }),
        ip,
      );
    const tcp = createTcpServer((socket) => broker.handle(guarded(socket)));
    const port = await listenTcp(tcp, o.port, o.host);
    closers.push(() => closeServer(tcp));
    const mqttUrl = `mqtt://${o.host}:${port}`;
    let mqttsUrl: string | undefined;
    if (o.tls) {
      const mqtts = createTlsServer(o.tls, (socket) => broker.handle(guarded(socket)));
      mqtts.on('tlsClientError', (err) => o.log.debug({ err: err.message }, 'TLS handshake failed'));
      const tlsPort = await listenTcp(mqtts, o.tlsPort, o.host);
      closers.push(() => closeServer(mqtts));
      mqttsUrl = `mqtts://${o.host}:${tlsPort}`;
    }
    const http = o.tls ? createHttpsServer(o.tls) : createHttpServer();
    // maxPayload bounds one WebSocket frame; the guard bounds a packet spread over frames.
    const wss = new WebSocketServer({ server: http, path: '/mqtt', maxPayload: o.maxPacketBytes + 5 });
    wss.on('connection', (ws, req) => {
      // One frame over maxPayload is closed by ws itself (1009) before the guard sees it;
      // a connection is counted once, whichever of the two catches it first.
      let reported = false;
      const once = (detail: Record<string, unknown>) => {
        if (!reported) oversized(detail);
        reported = true;
      };
      ws.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
          once({ ip: req.socket.remoteAddress, reason: 'websocket_frame_too_large' });
      });
      broker.handle(guarded(createWebSocketStream(ws), req.socket.remoteAddress, once), req);
    });
    const wsPort = await listenTcp(http, o.wsPort, o.host);
    closers.push(async () => {
      wss.close();
      await closeServer(http);
    });
    const mqttWsUrl = `${o.tls ? 'wss' : 'ws'}://${o.host}:${wsPort}/mqtt`;
    return { mqttUrl, mqttsUrl, mqttWsUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

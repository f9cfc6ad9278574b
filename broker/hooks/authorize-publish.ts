import type { Client, PublishPacket } from 'aedes';
import { MAX_PAYLOAD_BYTES } from '../../core/protocol/tracker-protocol.ts';
import type { BrokerContext, ClientFlow } from '../broker-context.ts';
import type { PacketSizeGuard } from '../packet-size-guard.ts';
import type { BrokerDeviceSessions } from '../device-sessions.ts';

/**
 * A device may publish only to its own telemetry and status topics
 * (tracker protocol: "A device may publish only to its own trackers/{id}/… topics").
 * Its config topic is written by the platform, never by the device.
 * Publishes from inside the platform (client null) are always allowed.
 * An authorized device publish is then persisted (ctx.persist) before the PUBACK.
 */
export function authorizePublishHook(ctx: BrokerContext, sessions: BrokerDeviceSessions) {
  return function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    if (!client) return done(null);
    // A connection whose device was disabled or got a new secret is being closed: what it
    // still sends is refused. Its will ({"state":"offline"}, set when it signed in) still
    // goes out, so the device shows offline.
    if (!sessions.isCurrent(client) && packet !== (client as Client & { will?: unknown }).will) {
      ctx.refuse('publish', client.id, 'credentials revoked');
      return done(new Error('credentials revoked'));
    }
    const own = `trackers/${client.id}/`;
    const topic = packet.topic;
    if (topic !== `${own}telemetry` && topic !== `${own}status`) {
      ctx.refuse('publish', client.id, `may not publish to ${topic}`);
      // An error here makes aedes close the connection: [MQTT-3.3.5-2] lets a 3.1.1 server
      // do so for a publish it will not authorize, and the device learns it at once.
      return done(new Error(`publish to ${topic} not authorized`));
    }
    const size = Buffer.isBuffer(packet.payload)
      ? packet.payload.byteLength
      : Buffer.byteLength(String(packet.payload));
    if (size > MAX_PAYLOAD_BYTES) {
      // Over the protocol's limit but under the connection's hard ceiling (PacketSizeGuard):
      // with ingest in process the payload is kept aside as a dead letter (payload_too_large)
      // and acknowledged. Refused without a PUBACK, a persistent session would resend it on
      // every reconnect and the tracker would never get past it.
      if (!ctx.persist) {
        ctx.refuse('publish', client.id, `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
        return done(new Error('payload too large'));
      }
      ctx.log.warn(
        { deviceId: client.id, size, limit: MAX_PAYLOAD_BYTES },
        'payload over the protocol limit; kept as a dead letter and acknowledged',
      );
    }
    if (!ctx.persist) return done(null);
    // [MQTT-4.3.2-2]: the PUBACK means the receiver has taken ownership of the message, so
    // it goes out only after the reading is committed. An error here closes the connection
    // without a PUBACK, and the device resends the message on its persistent session.
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    ctx.persist(client.id, topic, payload, (err) => done(err ?? null), connectionFlow(client));
  };
}

/**
 * While ingest is full, stop reading this client's connection. aedes alone would not: it
 * reads the next chunk before every packet of the last one is done (its `readable` events
 * count as finished packets), so a waiting hook does not stop a client that keeps sending.
 */
function connectionFlow(client: Client): ClientFlow | undefined {
  const conn = client.conn as unknown as PacketSizeGuard;
  if (typeof conn.hold !== 'function' || typeof conn.release !== 'function') return undefined;
  return {
    pause: () => conn.hold(),
    resume: () => conn.release(),
    onClose: (listener) => {
      if (conn.destroyed) {
        listener();
        return () => {};
      }
      conn.once('close', listener);
      return () => void conn.off('close', listener);
    },
  };
}

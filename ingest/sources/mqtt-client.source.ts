import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from '../../core/observability/logger.ts';
import type { IngestService } from '../ingest.service.ts';

export interface MqttSourceOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Shared-subscription group; empty for a plain subscription. */
  shareGroup: string;
  log: Logger;
}

interface HeldAck {
  messageId: number;
  generation: number;
  stored: boolean;
  send: () => void;
}

type SendPacket = (packet: Packet, cb?: () => void, ...rest: unknown[]) => void;

/**
 * External-broker source: an mqtt.js client with a persistent session (clean: false)
 * subscribed at QoS 1, through a shared subscription so several ingest workers split
 * the telemetry. Status is subscribed plainly: it is retained, and brokers do not send
 * retained messages to shared subscriptions (MQTT 5, 4.8.2).
 *
 * PUBACKs are held until ingest has committed the message, and released strictly in
 * arrival order ([MQTT-4.6.0-2]). mqtt.js would otherwise either ack at once (a crash
 * before the write loses the reading) or, if its callback were delayed, process one
 * message at a time. So acks are taken out of mqtt.js' send path and queued here.
 *
 * Memory: the broker's in-flight window for this client (mosquitto max_inflight_messages,
 * an MQTT 5 Receive Maximum) already bounds the unacknowledged messages, but a broker may
 * allow an unlimited one; INGEST_MAX_PENDING_READINGS bounds it here whatever the broker does.
 */
export async function startMqttClientSource(
  ingest: IngestService,
  o: MqttSourceOptions,
): Promise<{ client: MqttClient; stop(): Promise<void> }> {
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
  });

  const held: HeldAck[] = [];
  let generation = 0;
  const byId = new Map<number, HeldAck>();
  const release = () => {
    while (held.length && held[0]!.stored) {
      const h = held.shift()!;
      if (byId.get(h.messageId) === h) byId.delete(h.messageId);
      if (h.generation === generation) h.send();
    }
  };
  // A PUBACK belongs to the connection its PUBLISH came on; after a reconnect the broker
  // resends unacknowledged messages, so stale acks are dropped, never sent on the new link.
  client.on('close', () => {
    generation++;
    held.length = 0;
    byId.clear();
  });

  const internal = client as unknown as { _sendPacket: SendPacket };
  const sendPacket = internal._sendPacket.bind(client);
  // mqtt.js writes its own PUBACK right after handleMessage calls back; for a held message
  // that one is swallowed (its callback still runs so mqtt.js moves on), and ours goes out
  // from `release` once the message is stored.
  internal._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined && byId.has(packet.messageId)) {
      cb?.();
      return;
    }
    return sendPacket(packet, cb, ...rest);
  };

  client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void) => {
    const msg = { topic: packet.topic, payload: Buffer.from(packet.payload as Buffer), receivedAt: Date.now() };
    if (packet.qos === 0 || packet.messageId === undefined) {
      ingest.handle(msg, () => {});
      return callback();
    }
    const messageId = packet.messageId;
    const h: HeldAck = {
      messageId,
      generation,
      stored: false,
      send: () => sendPacket({ cmd: 'puback', messageId } as Packet, undefined),
    };
    held.push(h);
    byId.set(messageId, h);
    // mqtt.js handles the next packet only after `callback`; while ingest is full it is
    // called on admission, so the client stops reading its socket and TCP pushes back on
    // the broker, which keeps the rest queued in our persistent session.
    let waiting = false;
    ingest.handle(
      msg,
      (err) => {
        // Dropped with its connection while waiting for room: the broker redelivers it.
        if (h.generation !== generation) return;
        if (err) {
          // Never acknowledged: the broker redelivers after the reconnect.
          o.log.error({ err, topic: packet.topic }, 'ingest refused a message; reconnecting for redelivery');
          client.stream.destroy();
          return;
        }
        h.stored = true;
        release();
      },
      {
        pause: () => {
          waiting = true;
        },
        // Admitted after a reconnect: that connection's pump is gone, and mqtt.js' PUBACK
        // would go out on the new link for a message id that may mean another message there.
        resume: () => {
          if (h.generation === generation) callback();
        },
        onClose: (listener) => {
          client.once('close', listener);
          return () => void client.off('close', listener);
        },
      },
    );
    if (!waiting) callback();
  };

  client.on('error', (err) => o.log.error({ err: err.message }, 'mqtt source error'));
  client.on('reconnect', () => o.log.warn({ url: o.url }, 'mqtt source reconnecting'));

  const share = (t: string) => (o.shareGroup ? `$share/${o.shareGroup}/${t}` : t);
  const subscribe = async () => {
    await client.subscribeAsync({ [share('trackers/+/telemetry')]: { qos: 1 }, 'trackers/+/status': { qos: 1 } });
  };
  // A persistent session keeps subscriptions, but a broker that lost its state does not:
  // subscribing again on every connect is idempotent and covers both.
  client.on('connect', () => {
    subscribe().catch((err: unknown) => o.log.error({ err }, 'mqtt source subscribe failed'));
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await subscribe();
  o.log.info({ url: o.url, clientId: o.clientId, share: o.shareGroup }, 'ingest subscribed to external broker');

  return {
    client,
    stop: () => client.endAsync(),
  };
}

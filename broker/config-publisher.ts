import type { Aedes, PublishPacket } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../core/observability/logger.ts';
import { topics, type TrackerConfig } from '../core/protocol/tracker-protocol.ts';
import type { ConfigPublisher } from '../core/services/device.service.ts';

/**
 * Tracker protocol: trackers/{id}/config goes platform → device at QoS 1, retained, so a
 * tracker that is offline gets the latest config when it connects (and its persistent
 * session queues it if it was subscribed). Two ways out: the embedded aedes broker, or an
 * MQTT client of the platform on the external broker (MQTT_URL).
 */
const payloadOf = (config: TrackerConfig) => Buffer.from(JSON.stringify(config));

/**
 * Publishes through the embedded broker itself: no client, so authorizePublish (which
 * refuses config topics to devices) is not consulted, and aedes stores the retained copy.
 */
export function aedesConfigPublisher(broker: Aedes, log: Logger): ConfigPublisher {
  return {
    publishConfig: (id, config) =>
      new Promise<void>((resolve, reject) => {
        const packet = {
          cmd: 'publish',
          topic: topics.config(id),
          payload: payloadOf(config),
          qos: 1,
          retain: true,
          dup: false,
        } as PublishPacket;
        broker.publish(packet, (err) => {
          if (err) {
            log.error({ deviceId: id, err: err.message }, 'config publish failed');
            reject(err);
          } else resolve();
        });
      }),
  };
}

/**
 * Its own client on the external broker, beside ingest's: ingest's client holds back its
 * PUBACKs for incoming telemetry and has a persistent session of its own. The broker must
 * let MQTT_USERNAME publish to trackers/+/config. QoS 1: resolves on the PUBACK; while the
 * broker is unreachable mqtt.js keeps the message and sends it after reconnecting.
 */
export function startMqttConfigPublisher(o: {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  log: Logger;
}): { publisher: ConfigPublisher; client: MqttClient; stop(): Promise<void> } {
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
  });
  client.on('error', (err) => o.log.warn({ err: err.message }, 'config publisher: MQTT error'));
  return {
    client,
    publisher: {
      publishConfig: async (id, config) => {
        try {
          await client.publishAsync(topics.config(id), payloadOf(config), { qos: 1, retain: true });
        } catch (err) {
          o.log.error({ deviceId: id, err: (err as Error).message }, 'config publish failed');
          throw err;
        }
      },
    },
    stop: () => client.endAsync(),
  };
}

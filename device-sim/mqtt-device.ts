import type { IClientOptions, MqttClient } from 'mqtt';
import { SIM_FIRMWARE, statusTopic, type StatusPayload } from './protocol.ts';

/**
 * MQTT client options a tracker connects with, per the protocol: client id = username =
 * device id, password = secret, persistent session so QoS 1 config queues while the
 * parcel is out of coverage, MQTT 3.1.1, and a retained "offline" last will.
 */
export function deviceClientOptions(id: string, secret: string, extra: Partial<IClientOptions> = {}): IClientOptions {
  const will: StatusPayload = { state: 'offline' };
  return {
    clientId: id,
    username: id,
    password: secret,
    clean: false,
    protocolVersion: 4,
    keepalive: 60,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    will: { topic: statusTopic(id), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    ...extra,
  };
}

export function onlineStatus(batteryPct: number): string {
  const status: StatusPayload = { state: 'online', fw: SIM_FIRMWARE, batteryPct: Math.round(batteryPct) };
  return JSON.stringify(status);
}

export const OFFLINE_STATUS = JSON.stringify({ state: 'offline' } satisfies StatusPayload);

/** Resolves on the first CONNACK accepted; rejects on the first error (e.g. bad credentials). */
export function firstConnect(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnect = (): void => {
      client.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      client.off('connect', onConnect);
      reject(err);
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
}

/** Publishes at QoS 1; resolves when the broker's PUBACK arrives. */
export function publishQos1(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  retain = false,
): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Ends cleanly (waits for in-flight PUBACKs, sends DISCONNECT so no last will fires);
 * after timeoutMs (broker gone) destroys the socket instead. A second end() would be a
 * no-op while the first is pending, hence the direct destroy.
 */
export function endClient(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
    client.end(false, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

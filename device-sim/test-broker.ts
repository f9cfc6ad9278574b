/** An in-process aedes broker on a random TCP port, for device-sim's own tests only. */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { connect, type MqttClient } from 'mqtt';

export interface TestBroker {
  url: string;
  broker: Aedes;
  close(): Promise<void>;
}

export async function startTestBroker(options: AedesOptions = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(options);
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
}

/** A plain mqtt.js subscriber that records everything it receives, in arrival order. */
export interface Watcher {
  client: MqttClient;
  messages: Received[];
  /** Resolves once `predicate` holds (checked on every message), or rejects after timeoutMs. */
  until(predicate: (messages: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function watch(url: string, topics: string[]): Promise<Watcher> {
  const client = connect(url, {
    clientId: `watcher-${Math.random().toString(36).slice(2)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, qos: packet.qos, retain: packet.retain, payload: payload.toString('utf8') });
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    messages,
    until: (predicate, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(messages)) return resolve();
        const check = (): void => {
          if (!predicate(messages)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`watcher: condition not met within ${timeoutMs} ms (${messages.length} messages)`));
        }, timeoutMs);
        waiters.add(check);
      }),
    close: () => client.endAsync(),
  };
}

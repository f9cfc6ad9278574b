import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { BrokerContext } from './broker-context.ts';
import { authenticateHook } from './hooks/authenticate.ts';
import { authorizePublishHook } from './hooks/authorize-publish.ts';
import { authorizeSubscribeHook } from './hooks/authorize-subscribe.ts';

/** Called for every publish the broker accepted; the PUBACK waits for `done`. */
export type PublishedHook = (packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void) => void;

export interface BrokerOptions {
  ctx: BrokerContext;
  /** Where accepted publishes go (the in-process ingest source). */
  published?: PublishedHook;
}

/**
 * The embedded aedes broker with the tracker protocol's access rules. It never
 * crashes on a client's misbehaviour: errors surface as events and are logged.
 */
export async function createBroker({ ctx, published }: BrokerOptions): Promise<Aedes> {
  const broker = await Aedes.createBroker({
    // Device ids may be 64 characters (protocol), longer than MQTT 3.1.1's 23 minimum.
    maxClientsIdLength: 64,
    // Ingest holds PUBACKs until a batch commits; allow many publishes in flight meanwhile.
    concurrency: 10_000,
    authenticate: authenticateHook(ctx),
    authorizePublish: authorizePublishHook(ctx),
    authorizeSubscribe: authorizeSubscribeHook(ctx),
    ...(published ? { published } : {}),
  });

  broker.on('clientReady', () => ctx.metrics.connectedDevices.set(broker.connectedClients));
  broker.on('clientDisconnect', () => ctx.metrics.connectedDevices.set(broker.connectedClients));
  broker.on('clientError', (client, err) => ctx.log.debug({ deviceId: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (client, err) =>
    ctx.log.debug({ deviceId: client?.id, err: err.message }, 'connection error'),
  );
  return broker;
}

export function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}

import { Aedes } from 'aedes';
import type { BrokerContext } from './broker-context.ts';
import { BrokerDeviceSessions } from './device-sessions.ts';
import { authenticateHook } from './hooks/authenticate.ts';
import { authorizePublishHook } from './hooks/authorize-publish.ts';
import { authorizeSubscribeHook } from './hooks/authorize-subscribe.ts';

export interface BrokerOptions {
  ctx: BrokerContext;
}

/**
 * The embedded aedes broker with the tracker protocol's access rules. It never
 * crashes on a client's misbehaviour: errors surface as events and are logged.
 * `sessions` is its handle for revoking a device (secret rotated, device disabled).
 */
export async function createBroker({ ctx }: BrokerOptions): Promise<{ broker: Aedes; sessions: BrokerDeviceSessions }> {
  const sessions = new BrokerDeviceSessions(ctx.log);
  const broker = await Aedes.createBroker({
    // Device ids may be 64 characters (protocol), longer than MQTT 3.1.1's 23 minimum.
    maxClientsIdLength: 64,
    // Devices' publishes wait for their batch to commit; let many be in flight meanwhile.
    concurrency: 10_000,
    authenticate: authenticateHook(ctx, sessions),
    authorizePublish: authorizePublishHook(ctx, sessions),
    authorizeSubscribe: authorizeSubscribeHook(ctx),
  });

  broker.on('clientReady', () => ctx.metrics.connectedDevices.set(broker.connectedClients));
  broker.on('clientDisconnect', () => ctx.metrics.connectedDevices.set(broker.connectedClients));
  broker.on('clientError', (client, err) => ctx.log.debug({ deviceId: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (client, err) =>
    ctx.log.debug({ deviceId: client?.id, err: err.message }, 'connection error'),
  );
  sessions.attach(broker);
  return { broker, sessions };
}

export function closeBroker(broker: Aedes): Promise<void> {
  return new Promise((resolve) => broker.close(() => resolve()));
}

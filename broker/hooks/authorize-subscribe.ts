import type { Client, Subscription } from 'aedes';
import type { BrokerContext } from '../broker-context.ts';

/**
 * A device may subscribe only to its own `trackers/{id}/config`. A refused subscription
 * is answered with a SUBACK failure (0x80) rather than a disconnect ([MQTT-3.9.3-2]
 * allows a failure return code per topic), so the device's other subscriptions stand.
 */
export function authorizeSubscribeHook(ctx: BrokerContext) {
  return function authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    if (sub.topic === `trackers/${client.id}/config`) return done(null, sub);
    ctx.refuse('subscribe', client.id, `may not subscribe to ${sub.topic}`);
    done(null, null);
  };
}

/*
 * What a tracker may do on the partitioned engine (RabbitMQ's MQTT plugin), decided for
 * its HTTP auth hook. The same rule as the embedded broker's hooks and the tracker
 * protocol (docs/tracker-protocol.md, "Topics"): a device publishes only to its own
 * `trackers/{id}/telemetry` and `…/status`, and subscribes only to its own `…/config`.
 * Pure: the route only parses RabbitMQ's form fields and answers allow/deny.
 *
 * RabbitMQ asks in AMQP terms: the MQTT plugin publishes to the topic exchange `amq.topic`
 * with '/' turned into '.', and keeps a device's subscriptions in queues named
 * `mqtt-subscription-{clientId}qos{0|1}` (client id = device id, enforced at connect).
 */
export type EnginePermission = 'configure' | 'write' | 'read';

export interface ResourceCheck {
  username: string;
  resource: string;
  name: string;
  permission: EnginePermission | string;
}

export interface TopicCheck {
  username: string;
  name: string;
  permission: EnginePermission | string;
  routingKey: string;
}

const TOPIC_EXCHANGE = 'amq.topic';

export function deviceMayUseResource(c: ResourceCheck): boolean {
  if (c.resource === 'exchange') {
    // Publishing writes to amq.topic; subscribing binds a queue to it, which needs read.
    return c.name === TOPIC_EXCHANGE && (c.permission === 'write' || c.permission === 'read');
  }
  if (c.resource === 'queue') {
    // Only the device's own subscription queues, never the ingest partitions.
    return c.name === `mqtt-subscription-${c.username}qos0` || c.name === `mqtt-subscription-${c.username}qos1`;
  }
  return false;
}

export function deviceMayUseTopic(c: TopicCheck): boolean {
  if (c.name !== TOPIC_EXCHANGE) return false;
  const own = `trackers.${c.username}.`;
  if (!c.routingKey.startsWith(own)) return false;
  const leaf = c.routingKey.slice(own.length);
  if (c.permission === 'write') return leaf === 'telemetry' || leaf === 'status';
  if (c.permission === 'read') return leaf === 'config';
  return false;
}

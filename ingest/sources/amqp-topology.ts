import type { Channel } from 'amqplib';

/*
 * Where trackers' messages wait on the engine (RabbitMQ with its MQTT plugin) until an
 * ingest worker has committed them. docs/scale-out.md explains the choice.
 *
 * The MQTT plugin publishes every tracker message to `amq.topic` with the topic as routing
 * key, '/' turned into '.' (so `trackers/trk-1/telemetry` arrives as `trackers.trk-1.telemetry`).
 * Telemetry goes on through a consistent-hash exchange into PARTITIONS quorum queues: one
 * tracker's routing key always hashes to the same queue, so its readings stay in order and
 * reach one worker. Status (rare, retained) goes to one queue of its own.
 *
 * Quorum queues confirm a publish once a majority of their replicas has written it to disk,
 * and the plugin sends the tracker's PUBACK only after that confirm, so an acknowledged
 * reading survives an engine restart. Single active consumer on every queue means that
 * even two workers that both think they own a partition never consume it at once.
 */
export const TELEMETRY_EXCHANGE = 'sampletrack.telemetry';
export const STATUS_QUEUE = 'sampletrack.status';
export const partitionQueue = (p: number) => `sampletrack.ingest.${p}`;

/** Ring points per partition in the consistent-hash exchange: more points, a more even spread. */
const RING_WEIGHT = '50';

const QUEUE_ARGS = { 'x-queue-type': 'quorum', 'x-single-active-consumer': true };

/**
 * Declares the exchanges, queues and bindings; idempotent, so every worker runs it on
 * connect. The partition count is part of the layout: changing it moves trackers between
 * queues, so it is changed only with the workers stopped and the queues empty
 * (docs/operations.md).
 */
export async function declareTopology(ch: Channel, partitions: number): Promise<void> {
  await ch.assertExchange(TELEMETRY_EXCHANGE, 'x-consistent-hash', { durable: true });
  await ch.bindExchange(TELEMETRY_EXCHANGE, 'amq.topic', 'trackers.*.telemetry');
  for (let p = 0; p < partitions; p++) {
    await ch.assertQueue(partitionQueue(p), { durable: true, arguments: QUEUE_ARGS });
    await ch.bindQueue(partitionQueue(p), TELEMETRY_EXCHANGE, RING_WEIGHT);
  }
  await ch.assertQueue(STATUS_QUEUE, { durable: true, arguments: QUEUE_ARGS });
  await ch.bindQueue(STATUS_QUEUE, 'amq.topic', 'trackers.*.status');
}

/**
 * An AMQP routing key back to its MQTT topic. The plugin swaps '/' and '.', so a '/' in the
 * key stands for a '.' in the topic (device ids may not hold one, but a topic is not trusted).
 */
export function topicOf(routingKey: string): string {
  let out = '';
  for (const ch of routingKey) out += ch === '.' ? '/' : ch === '/' ? '.' : ch;
  return out;
}

import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { declareTopology, partitionQueue } from '../../ingest/sources/amqp-topology.ts';
import { startRabbit } from '../../test/support/rabbitmq.ts';
import type { Engine } from './engine.ts';
import { findPid } from './proc.ts';

/**
 * RabbitMQ with its MQTT plugin and the platform's own topology (ingest/sources/amqp-topology.ts):
 * `amq.topic` → consistent-hash exchange → PARTITIONS quorum queues with single active consumer.
 * Trackers sign in as the internal service user here: the comparison is about storage.
 */
export async function rabbitEngine(partitions: number): Promise<Engine> {
  const node = await startRabbit();
  const declare = async () => {
    const conn = await amqp.connect(node.amqpUrl);
    const ch = await conn.createChannel();
    await declareTopology(ch, partitions);
    await conn.close();
  };
  await declare();
  const pid = () => {
    const p = findPid('beam.smp', `RABBITMQ_NODENAME=${node.node}`);
    if (!p) throw new Error(`no beam.smp for ${node.node}`);
    return p;
  };
  return {
    name: 'RabbitMQ 3.10 + MQTT plugin (quorum queues)',
    mqtt: { url: node.mqttUrl, username: 'sampletrack', password: 'sampletrack-secret' },
    pid,
    kill: () => node.kill(),
    start: async () => {
      await node.start();
      await declare();
    },
    close: () => node.close(),
    // Drains the partition queues (acking), as an ingest worker would.
    present: async (prefix) => {
      const conn = await amqp.connect(node.amqpUrl);
      const keys = new Set<string>();
      const where = new Map<string, Set<number>>();
      for (let p = 0; p < partitions; p++) {
        const ch = await conn.createChannel();
        await ch.prefetch(1000);
        let last = Date.now();
        await ch.consume(partitionQueue(p), (msg) => {
          if (!msg) return;
          last = Date.now();
          const device = msg.fields.routingKey.split('.')[1] ?? '';
          const { seq } = JSON.parse(msg.content.toString()) as { seq: number };
          if (device.startsWith(prefix)) {
            keys.add(`${device}:${seq}`);
            const set = where.get(device) ?? new Set<number>();
            set.add(p);
            where.set(device, set);
          }
          ch.ack(msg);
        });
        for (;;) {
          await sleep(200);
          const { messageCount } = await ch.checkQueue(partitionQueue(p));
          if (messageCount === 0 && Date.now() - last > 1000) break;
        }
        await ch.close();
      }
      await conn.close();
      const splitDevices = [...where.values()].filter((s) => s.size > 1).length;
      return { keys, splitDevices, partitions };
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import type { Logger } from '../../core/observability/logger.ts';
import type { IngestPartitionRepository } from '../../core/storage/repositories/ingest-partition.repository.ts';
import type { IngestService } from '../ingest.service.ts';
import { planPartitions } from '../partition-plan.ts';
import { STATUS_QUEUE, declareTopology, partitionQueue, topicOf } from './amqp-topology.ts';

export interface AmqpSourceOptions {
  /** The engine's AMQP endpoint (AMQP_URL), as a service user, never a device. */
  url: string;
  partitions: number;
  /** Unique per running worker; the lease table names owners by it. */
  workerId: string;
  leaseTtlS: number;
  /**
   * Unacknowledged deliveries the engine may hand this worker, shared by the partitions it
   * consumes: a worker's batches, and so its cost per reading, do not shrink as workers are
   * added and each holds fewer partitions.
   */
  window: number;
  leases: IngestPartitionRepository;
  log: Logger;
  /**
   * A partition is being handed to another worker: everything it delivered here is
   * committed. The rules forget these devices' trips, so if the partition comes back they
   * are rebuilt from storage instead of judged on stale memory.
   */
  onRelease?(deviceIds: string[]): Promise<void>;
  /**
   * A partition was taken: the trackers last seen on it, so the rules watch their trips at
   * once (a silent tracker sends nothing that would introduce it to this worker).
   */
  onClaim?(deviceIds: string[]): Promise<void>;
}

export interface AmqpSource {
  ready(): boolean;
  /** Partitions consumed now (for /readyz and the tests). */
  partitions(): number[];
  /** Stops taking deliveries; what was delivered is still committed and acknowledged. */
  quiesce(): Promise<void>;
  /** Waits for the acks, gives the leases back at once, disconnects. */
  stop(): Promise<void>;
}

interface Consumer {
  ch: Channel;
  tag: string;
  inflight: number;
  /** Closed with its connection: acks of its deliveries are moot (the engine redelivers). */
  dead: boolean;
  devices: Set<string>;
  partition: number | undefined;
}

/**
 * Ingest from a partitioned engine over AMQP (docs/scale-out.md). A delivery is
 * acknowledged only after ingest committed it; a worker consumes only the partitions it
 * holds a lease on, so each tracker's readings go to one worker at a time, in order.
 *
 * Handover is drain-then-release: the giving worker cancels its consumer, waits until every
 * delivery it took is committed and acknowledged, lets the rules forget those trips, and
 * only then deletes its lease; the taker claims a partition only once no live lease is on
 * it. A worker that dies stops renewing; after INGEST_LEASE_TTL_S its partitions are taken
 * and the engine redelivers what it had not acknowledged (storage is idempotent on
 * (device, seq), so a reading committed just before the crash is not stored twice).
 */
export async function startAmqpSource(ingest: IngestService, o: AmqpSourceOptions): Promise<AmqpSource> {
  let conn: ChannelModel | undefined;
  let stopping = false;
  let quiesced = false;
  const held = new Set<number>();
  const consumers = new Map<number, Consumer>();
  let status: Consumer | undefined;
  /** Trackers seen on a partition for the first time by this worker, not yet recorded. */
  const unrecorded = new Map<string, number>();

  const consume = async (queue: string, prefetch: number, partition?: number): Promise<Consumer> => {
    const ch = await conn!.createChannel();
    await ch.prefetch(prefetch);
    const c: Consumer = { ch, tag: '', inflight: 0, dead: false, devices: new Set(), partition };
    ch.on('close', () => {
      c.dead = true;
      // Closed under us (a refused delivery, a channel error): the next balancing round
      // opens the partition again and the engine redelivers what was not acknowledged.
      if (partition !== undefined && consumers.get(partition) === c) consumers.delete(partition);
    });
    ch.on('error', (err: Error) => o.log.warn({ err: err.message, queue }, 'engine channel error'));
    const { consumerTag } = await ch.consume(queue, (msg) => msg && deliver(c, msg), { noAck: false });
    c.tag = consumerTag;
    return c;
  };

  const deliver = (c: Consumer, msg: ConsumeMessage) => {
    const topic = topicOf(msg.fields.routingKey);
    const deviceId = topic.split('/')[1];
    if (deviceId && !c.devices.has(deviceId)) {
      c.devices.add(deviceId);
      if (c.partition !== undefined) unrecorded.set(deviceId, c.partition);
    }
    c.inflight++;
    ingest.handle({ topic, payload: msg.content, receivedAt: Date.now() }, (err) => {
      c.inflight--;
      if (c.dead) return;
      if (err) {
        // Closing the channel returns every unacknowledged delivery in order; nack would put
        // this one behind later readings of the same tracker.
        o.log.error({ err, topic }, 'ingest refused a delivery; reopening the partition for redelivery');
        c.dead = true;
        c.ch.close().catch(() => {});
        return;
      }
      c.ch.ack(msg);
    });
  };

  const startPartition = async (p: number) => {
    if (!conn || quiesced || consumers.has(p)) return;
    // An equal part of the window per partition held, fixed at subscribe: RabbitMQ applies a
    // consumer's prefetch when it subscribes, and quorum queues refuse a channel-wide
    // (global) one. A worker that takes more partitions over keeps its earlier consumers'
    // larger parts until they reopen, so for a while it may hold more than the window (1.5×
    // after taking over as many partitions again as it had).
    consumers.set(p, await consume(partitionQueue(p), Math.max(1, Math.ceil(o.window / Math.max(1, held.size))), p));
  };

  const drain = async (c: Consumer, deadlineMs: number) => {
    if (!c.dead) await c.ch.cancel(c.tag).catch(() => {});
    const until = Date.now() + deadlineMs;
    while (c.inflight > 0 && Date.now() < until) await sleep(20);
  };

  const stopPartition = async (p: number, handover: boolean) => {
    const c = consumers.get(p);
    consumers.delete(p);
    if (c) {
      await drain(c, 60_000);
      if (handover) await o.onRelease?.([...c.devices]);
      if (!c.dead) await c.ch.close().catch(() => {});
    }
  };

  const connect = async () => {
    // Heartbeats find a half-open connection (an engine node that vanished) within ~20 s.
    const url = new URL(o.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
    const next = await amqp.connect(url.toString());
    next.on('error', (err: Error) => o.log.warn({ err: err.message }, 'engine connection error'));
    next.on('close', () => {
      if (conn !== next) return;
      conn = undefined;
      // The engine takes back every unacknowledged delivery; consumers start again on reconnect.
      for (const c of consumers.values()) c.dead = true;
      consumers.clear();
      if (status) status.dead = true;
      status = undefined;
      if (!stopping) {
        o.log.warn({ url: redact(o.url) }, 'engine connection lost; reconnecting');
        void reconnect();
      }
    });
    const setup = await next.createChannel();
    await declareTopology(setup, o.partitions);
    await setup.close();
    conn = next;
    if (!quiesced) {
      status = await consume(STATUS_QUEUE, 50);
      for (const p of held) await startPartition(p);
    }
  };

  const reconnect = async () => {
    while (!stopping && !conn) {
      await sleep(1000);
      await connect().catch((err: unknown) => o.log.warn({ err: (err as Error).message }, 'engine reconnect failed'));
    }
  };

  const balance = async () => {
    if (unrecorded.size) {
      const batch = new Map(unrecorded);
      unrecorded.clear();
      await o.leases.recordDevices(batch).catch((err: unknown) => {
        for (const [d, p] of batch) if (!unrecorded.has(d)) unrecorded.set(d, p);
        throw err;
      });
    }
    const view = await o.leases.renew(o.workerId, o.leaseTtlS);
    const plan = planPartitions({
      partitions: o.partitions,
      consuming: [...held],
      mine: view.mine,
      taken: view.taken,
      liveWorkers: view.liveWorkers,
    });
    for (const p of plan.lost) {
      held.delete(p);
      o.log.warn({ partition: p }, 'partition lease lost; stopping it');
      await stopPartition(p, true);
    }
    for (const p of plan.release) {
      await stopPartition(p, true);
      await o.leases.release(o.workerId, p);
      held.delete(p);
      o.log.info({ partition: p }, 'partition handed over');
    }
    // A lease this worker id still holds from before (a stable INGEST_WORKER_ID restarted).
    for (const p of view.mine) if (!held.has(p) && !plan.release.includes(p)) held.add(p);
    for (const p of plan.claim)
      if (await o.leases.claim(o.workerId, p, o.leaseTtlS)) {
        held.add(p);
        o.log.info({ partition: p }, 'partition taken');
        await o.onClaim?.(await o.leases.devicesOf(p));
      }
    for (const p of held) await startPartition(p);
  };

  let loop: Promise<void> = Promise.resolve();
  const every = Math.max(500, (o.leaseTtlS * 1000) / 4);
  const tick = () => {
    loop = balance()
      .catch((err: unknown) => o.log.error({ err }, 'partition balancing failed'))
      .finally(() => {
        if (!stopping) timer = setTimeout(tick, every);
      });
  };
  let timer: NodeJS.Timeout | undefined;

  await connect();
  await balance();
  timer = setTimeout(tick, every);
  o.log.info(
    { url: redact(o.url), worker: o.workerId, partitions: [...held].sort((a, b) => a - b) },
    'ingest consuming from engine',
  );

  const quiesce = async () => {
    if (quiesced) return;
    quiesced = true;
    const all = [...consumers.values(), ...(status ? [status] : [])];
    await Promise.all(all.map((c) => drain(c, 30_000)));
  };

  return {
    ready: () => conn !== undefined,
    partitions: () => [...consumers.keys()].sort((a, b) => a - b),
    quiesce,
    stop: async () => {
      await quiesce();
      stopping = true;
      clearTimeout(timer);
      await loop;
      await o.leases.leave(o.workerId).catch((err: unknown) => o.log.warn({ err }, 'leaving the lease table failed'));
      await conn?.close().catch(() => {});
      conn = undefined;
    },
  };
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

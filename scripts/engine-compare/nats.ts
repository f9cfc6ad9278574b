import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, StorageType, type NatsConnection } from 'nats';
import { serverPort } from '../../test/support/free-port.ts';
import type { Engine } from './engine.ts';

const BIN = '/usr/sbin/nats-server';
const STREAM = 'TELEMETRY';

/**
 * A NATS server of the script's own with JetStream (file storage in a temporary folder) and
 * its MQTT listener, and one file-storage stream capturing `trackers.*.telemetry` (the MQTT
 * topic `trackers/{id}/telemetry` is that NATS subject).
 */
export async function natsEngine(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'sampletrack-nats-'));
  const [port, mqttPort] = [await serverPort(), await serverPort()];
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      'server_name: "engine-compare"',
      `listen: "127.0.0.1:${port}"`,
      `jetstream { store_dir: "${join(dir, 'js')}" }`,
      `mqtt { listen: "127.0.0.1:${mqttPort}" }`,
    ].join('\n') + '\n',
  );
  let proc: ChildProcess | undefined;
  const client = async (): Promise<NatsConnection> => {
    for (let i = 0; ; i++) {
      try {
        return await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
      } catch (err) {
        if (i > 100) throw err;
        await sleep(100);
      }
    }
  };
  const start = async () => {
    proc = spawn(BIN, ['-c', conf], { stdio: 'ignore' });
    const nc = await client();
    const jsm = await nc.jetstreamManager();
    // JetStream recovers its streams from the store folder before it answers for them.
    for (let i = 0; ; i++) {
      try {
        await jsm.streams.info(STREAM);
        break;
      } catch (err) {
        if (i > 300) throw new Error(`stream ${STREAM} not back after restart: ${(err as Error).message}`);
        await sleep(100);
      }
    }
    await nc.close();
  };
  const first = async () => {
    proc = spawn(BIN, ['-c', conf], { stdio: 'ignore' });
    const nc = await client();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['trackers.*.telemetry'], storage: StorageType.File });
    await nc.close();
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p?.pid || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await first();
  return {
    name: 'NATS 2.9.10 JetStream + MQTT (file stream)',
    mqtt: { url: `mqtt://127.0.0.1:${mqttPort}` },
    pid: () => proc!.pid!,
    kill,
    start,
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    // Reads the whole stream with an ordered consumer, as an ingest worker's durable one would.
    present: async (prefix) => {
      const nc = await client();
      const keys = new Set<string>();
      const info = await (await nc.jetstreamManager()).streams.info(STREAM);
      if (info.state.messages > 0) {
        const consumer = await nc.jetstream().consumers.get(STREAM);
        const msgs = await consumer.consume();
        for await (const m of msgs) {
          const device = m.subject.split('.')[1] ?? '';
          const { seq } = m.json<{ seq: number }>();
          if (device.startsWith(prefix)) keys.add(`${device}:${seq}`);
          if (m.info.pending === 0) break;
        }
        await msgs.close();
      }
      await nc.close();
      return { keys, splitDevices: 0, partitions: 1 };
    },
  };
}

/**
 * Whether this nats-server applies a partitioning subject mapping: a server without
 * JetStream maps `trackers.*.telemetry` to `part.{{partition(8,1)}}.trackers.{{wildcard(1)}}.telemetry`,
 * and every device must land in one partition, always the same one.
 */
export async function natsPartitionProbe(devices: string[]): Promise<{ ok: boolean; partitions: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sampletrack-natsmap-'));
  const port = await serverPort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    `listen: "127.0.0.1:${port}"\nmappings: { "trackers.*.telemetry": "part.{{partition(8,1)}}.trackers.{{wildcard(1)}}.telemetry" }\n`,
  );
  const proc = spawn(BIN, ['-c', conf], { stdio: 'ignore' });
  try {
    let nc: NatsConnection | undefined;
    for (let i = 0; !nc && i < 100; i++)
      nc = await connect({ servers: `127.0.0.1:${port}` }).catch(async () => {
        await sleep(100);
        return undefined;
      });
    if (!nc) throw new Error('mapping probe server did not start');
    const seen = new Map<string, Set<string>>();
    const sub = nc.subscribe('part.>');
    let got = 0;
    const want = devices.length * 3;
    const done = (async () => {
      for await (const m of sub) {
        const [, part, , device] = m.subject.split('.');
        const set = seen.get(device!) ?? new Set<string>();
        set.add(part!);
        seen.set(device!, set);
        if (++got === want) break;
      }
    })();
    for (let r = 0; r < 3; r++) for (const d of devices) nc.publish(`trackers.${d}.telemetry`, 'x');
    await Promise.race([done, sleep(5000)]);
    await nc.close();
    const parts = new Set([...seen.values()].flatMap((s) => [...s]));
    const ok = got === want && [...seen.values()].every((s) => s.size === 1);
    return { ok, partitions: parts.size };
  } finally {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

import { parseArgs } from 'node:util';
import type { Engine } from './engine-compare/engine.ts';
import { runLoad } from './engine-compare/load.ts';
import { natsEngine, natsPartitionProbe } from './engine-compare/nats.ts';
import { cpuSeconds } from './engine-compare/proc.ts';
import { rabbitEngine } from './engine-compare/rabbit.ts';

/**
 * npm run bench:engines -- [--clients 100] [--readings 200] [--crash-readings 400] [--kill-at 0.4]
 *                          [--window 10] [--partitions 8] [--engines rabbitmq,nats]
 *
 * The candidate engines for scale-out ingest (docs/scale-out.md), each started here on its
 * own ports and data folder, under the same MQTT load (mqtt.js clients, QoS 1, one reading
 * per message):
 *  1. throughput: PUBACKed readings/s and the engine's CPU per reading (utime + stime of its
 *     server process from /proc, over the run), then what it holds for ingest;
 *  2. durability: the same load again on new devices, the engine SIGKILLed once --kill-at of
 *     it was PUBACKed, restarted on the same data folder, and every reading it holds read
 *     back (RabbitMQ: drained from the partition queues over AMQP; NATS: the stream read by a
 *     JetStream consumer): acknowledged / present / lost, counted as distinct (device, seq).
 * Nothing here is the platform: no auth hook, no ingest; it measures the engines alone.
 */
const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    readings: { type: 'string', default: '200' },
    'crash-readings': { type: 'string', default: '400' },
    'kill-at': { type: 'string', default: '0.4' },
    window: { type: 'string', default: '10' },
    partitions: { type: 'string', default: '8' },
    engines: { type: 'string', default: 'rabbitmq,nats' },
  },
});
const n = (k: keyof typeof args) => Number(args[k]);
const devices = (prefix: string) => Array.from({ length: n('clients') }, (_, i) => `${prefix}-${i}`);

interface Row {
  engine: string;
  acked: number;
  perSecond: number;
  engineUs: number;
  loadUs: number;
  heldAfterRun: number;
  crashAcked: number;
  crashPresent: number;
  crashLost: number;
  crashUnacked: number;
  splitDevices: string;
}

async function measure(make: () => Promise<Engine>): Promise<Row> {
  const e = await make();
  try {
    const load = { ...e.mqtt, window: n('window') };
    const pid = e.pid();
    const cpu0 = cpuSeconds(pid);
    const me0 = process.cpuUsage();
    const run = await runLoad({ ...load, devices: devices('tp'), readings: n('readings') });
    const cpu = cpuSeconds(pid) - cpu0;
    const me = process.cpuUsage(me0);
    const held = await e.present('tp');
    console.error(
      `${e.name}: ${run.acked.size} acked in ${run.lastAckAt - run.firstPublishAt} ms, ${held.keys.size} held`,
    );

    const total = n('clients') * n('crash-readings');
    let killed: Promise<void> | undefined;
    const crash = await runLoad({
      ...load,
      devices: devices('ck'),
      readings: n('crash-readings'),
      onAck: (acked) => {
        if (!killed && acked >= total * n('kill-at')) killed = e.kill();
      },
    });
    await killed;
    await e.start();
    const after = await e.present('ck');
    const lost = [...crash.acked].filter((k) => !after.keys.has(k)).length;
    console.error(`${e.name}: crash phase ${crash.acked.size} acked, ${after.keys.size} present, ${lost} lost`);
    return {
      engine: e.name,
      acked: run.acked.size,
      perSecond: (run.acked.size * 1000) / Math.max(1, run.lastAckAt - run.firstPublishAt),
      engineUs: (cpu * 1e6) / run.acked.size,
      loadUs: ((me.user + me.system) / run.acked.size) | 0,
      heldAfterRun: held.keys.size,
      crashAcked: crash.acked.size,
      crashPresent: [...crash.acked].filter((k) => after.keys.has(k)).length,
      crashLost: lost,
      crashUnacked: [...after.keys].filter((k) => !crash.acked.has(k)).length,
      splitDevices: held.partitions > 1 ? `${held.splitDevices + after.splitDevices} of ${n('clients') * 2}` : 'n/a',
    };
  } finally {
    await e.close();
  }
}

const engines: Record<string, () => Promise<Engine>> = {
  rabbitmq: () => rabbitEngine(n('partitions')),
  nats: () => natsEngine(),
};
const rows: Row[] = [];
for (const name of args.engines.split(',')) {
  const make = engines[name];
  if (!make) throw new Error(`unknown engine ${name} (rabbitmq, nats)`);
  rows.push(await measure(make));
}
const probe = args.engines.includes('nats') ? await natsPartitionProbe(devices('map')) : undefined;

const f = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(
  `\n${n('clients')} clients, QoS 1, ${n('window')} in flight each; throughput: ${n('readings')} readings each; ` +
    `crash: ${n('crash-readings')} each, SIGKILL at ${n('kill-at') * 100} % acknowledged\n`,
);
console.log(
  '| engine | PUBACKed/s | engine CPU µs/reading | load generator µs/reading | held after run (of acked) | crash: acknowledged | present after restart | lost | present, never acked | devices split across partitions |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.engine} | ${f(r.perSecond)} | ${r.engineUs.toFixed(1)} | ${r.loadUs} | ${f(r.heldAfterRun)} of ${f(r.acked)} | ${f(r.crashAcked)} | ${f(r.crashPresent)} | **${f(r.crashLost)}** | ${f(r.crashUnacked)} | ${r.splitDevices} |`,
  );
if (probe)
  console.log(
    `\nNATS subject mapping {{partition(8,1)}}: ${probe.ok ? 'applied' : 'NOT applied'}; every device in one partition, ${probe.partitions} of 8 partitions used`,
  );
process.exit(0);

/**
 * Load mode for benchmarks: every device publishes as fast as the broker acknowledges,
 * with a bounded window of QoS 1 publishes in flight per client. Each reading carries its
 * send time as the unknown field `simSentAt` (epoch ms), which the platform keeps, so a
 * benchmark can measure end-to-end latency from the database.
 *
 *   tsx device-sim/load.ts --url mqtt://127.0.0.1:1884 --devices devices.json \
 *     --messages 1000 --batch 1 [--window 64] [--first-seq 0] [--timeout 120]
 *
 * Rate mode offers a fixed load instead (open loop: publishes go out on schedule whether or
 * not earlier ones were acknowledged, as a fleet of trackers would), single readings spread
 * round-robin over the devices, every `--shock-every`-th reading carrying a shock:
 *
 *   tsx device-sim/load.ts --url … --devices devices.json --rate 1000 --seconds 30 [--shock-every 50] [--shock-g 30]
 *
 * prints `{"connected":true}` once every tracker is connected, then a JSON summary, on stdout.
 */
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { readDevicesFile } from './devices-file.ts';
import type { DeviceCredentials } from './fleet.ts';
import { deviceClientOptions, endClient, firstConnect } from './mqtt-device.ts';
import { MAX_BATCH_READINGS, telemetryTopic, type SimReading } from './protocol.ts';

export interface LoadOptions {
  url: string;
  devices: readonly DeviceCredentials[];
  messagesPerDevice: number;
  /** Readings per message; 1 = single-reading messages, otherwise `{"readings": [...]}`. */
  batchSize: number;
  /** Publishes in flight per client. Default 64. */
  concurrencyPerDevice?: number;
  /**
   * seq of each device's first reading. Default 0. The platform ignores a (device, seq) it
   * already has, so a second run against the same database needs a higher value (or new devices).
   */
  firstSeq?: number;
  /** Give up waiting for PUBACKs after this long; acked < sent then. Default 120 000. */
  timeoutMs?: number;
  connectConcurrency?: number;
  mqttOptions?: Partial<IClientOptions>;
  /** Called once every client is connected, right before the first publish. */
  onConnected?: () => void;
  /** Per acknowledged message: for benchmarks that want more than the summary. */
  onAck?: (ack: { deviceId: string; firstSeq: number; readings: number; sentAtMs: number; ackMs: number }) => void;
}

export interface LoadResult {
  /** Messages published. */
  sent: number;
  /** Messages PUBACKed. */
  acked: number;
  /** First publish to last PUBACK (or to the timeout). */
  durationMs: number;
  readingsSent: number;
  readingsAcked: number;
  errors: number;
  timedOut: boolean;
  /** Publish → PUBACK per message, ms. */
  ackLatencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Acked messages per second over durationMs. */
  messagesPerS: number;
  readingsPerS: number;
  /** The seq range each device used, so a benchmark can find its readings again. */
  seqRange: { first: number; last: number };
}

interface Counters {
  sent: number;
  acked: number;
  errors: number;
  readingsSent: number;
  readingsAcked: number;
  latencies: number[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.batchSize < 1 || o.batchSize > MAX_BATCH_READINGS) throw new Error(`batchSize must be 1…${MAX_BATCH_READINGS}`);
  const window = o.concurrencyPerDevice ?? 64;
  const firstSeq = o.firstSeq ?? 0;
  const clients = await connectAll(o);
  o.onConnected?.();
  const c: Counters = { sent: 0, acked: 0, errors: 0, readingsSent: 0, readingsAcked: 0, latencies: [] };
  const started = performance.now();
  let lastAck = started;
  let stopped = false;

  const pumps = clients.map(
    ({ id, client }) =>
      new Promise<void>((done) => {
        let next = 0;
        let inFlight = 0;
        const fill = (): void => {
          while (!stopped && inFlight < window && next < o.messagesPerDevice) {
            const m = next++;
            const seq = firstSeq + m * o.batchSize;
            const sentAtMs = Date.now();
            const sentPerf = performance.now();
            inFlight++;
            c.sent++;
            c.readingsSent += o.batchSize;
            client.publish(telemetryTopic(id), loadPayload(seq, o.batchSize, sentAtMs), { qos: 1 }, (err) => {
              inFlight--;
              if (err) c.errors++;
              else {
                lastAck = performance.now();
                c.acked++;
                c.readingsAcked += o.batchSize;
                c.latencies.push(lastAck - sentPerf);
                o.onAck?.({ deviceId: id, firstSeq: seq, readings: o.batchSize, sentAtMs, ackMs: lastAck - sentPerf });
              }
              // A failed publish can call back synchronously; refill on the next turn to bound recursion.
              if (err) setImmediate(fill);
              else fill();
            });
          }
          if (inFlight === 0 && (stopped || next >= o.messagesPerDevice)) done();
        };
        fill();
      }),
  );

  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    Promise.all(pumps).then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), o.timeoutMs ?? 120_000);
    }),
  ]);
  clearTimeout(timer);
  stopped = true;
  const durationMs = (timedOut ? performance.now() : lastAck) - started;
  await Promise.all(clients.map(({ client }) => endClient(client, timedOut ? 0 : 5000)));

  const seconds = Math.max(durationMs, 1) / 1000;
  return {
    sent: c.sent,
    acked: c.acked,
    durationMs: Math.round(durationMs),
    readingsSent: c.readingsSent,
    readingsAcked: c.readingsAcked,
    errors: c.errors,
    timedOut,
    ackLatencyMs: percentiles(c.latencies),
    messagesPerS: Math.round(c.acked / seconds),
    readingsPerS: Math.round(c.readingsAcked / seconds),
    seqRange: { first: firstSeq, last: firstSeq + o.messagesPerDevice * o.batchSize - 1 },
  };
}

export interface RateOptions {
  url: string;
  devices: readonly DeviceCredentials[];
  /** Readings offered per second, across all devices (one reading per message). */
  ratePerS: number;
  seconds: number;
  /** Every n-th reading (counted across the fleet) carries `shockG` = shockG; 0: none. */
  shockEvery?: number;
  shockG?: number;
  firstSeq?: number;
  /** After the last publish, wait this long for the outstanding PUBACKs. Default 30 000. */
  drainTimeoutMs?: number;
  mqttOptions?: Partial<IClientOptions>;
  onConnected?: () => void;
}

export interface RateResult extends LoadResult {
  offeredPerS: number;
  /** Readings that carried a shock (each should raise its own exception). */
  shocks: number;
  /** How far the sender fell behind its schedule at worst (this process's own lag), ms. */
  maxScheduleLagMs: number;
}

/**
 * Offers `ratePerS` readings a second for `seconds`, open loop. Each reading's ts is its
 * send time (and `simSentAt` too), so the platform's exceptions (started at the breaching
 * reading's ts) and live parcel states can be timed from the publish.
 */
export async function runRate(o: RateOptions): Promise<RateResult> {
  const clients = await connectAll({
    url: o.url,
    devices: o.devices,
    messagesPerDevice: 0,
    batchSize: 1,
    ...(o.mqttOptions ? { mqttOptions: o.mqttOptions } : {}),
  });
  o.onConnected?.();
  const c: Counters = { sent: 0, acked: 0, errors: 0, readingsSent: 0, readingsAcked: 0, latencies: [] };
  const firstSeq = o.firstSeq ?? 0;
  const seqs = new Array<number>(clients.length).fill(firstSeq);
  const total = Math.round(o.ratePerS * o.seconds);
  let shocks = 0;
  let maxLag = 0;
  let lastAck = 0;
  const started = performance.now();
  let outstanding = 0;
  let allAcked: (() => void) | undefined;
  const publishOne = (i: number): void => {
    const { id, client } = clients[i % clients.length]!;
    const seq = seqs[i % clients.length]!++;
    const shock = o.shockEvery ? i % o.shockEvery === o.shockEvery - 1 : false;
    if (shock) shocks++;
    const sentAtMs = Date.now();
    const sentPerf = performance.now();
    c.sent++;
    c.readingsSent++;
    outstanding++;
    client.publish(
      telemetryTopic(id),
      loadPayload(seq, 1, sentAtMs, shock ? (o.shockG ?? 30) : undefined),
      { qos: 1 },
      (err) => {
        outstanding--;
        if (err) c.errors++;
        else {
          lastAck = performance.now();
          c.acked++;
          c.readingsAcked++;
          c.latencies.push(lastAck - sentPerf);
        }
        if (outstanding === 0) allAcked?.();
      },
    );
  };
  // A tick every 5 ms sends what is due by now: the schedule, not the acks, sets the pace.
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed * o.ratePerS) / 1000));
      if (due > c.sent) maxLag = Math.max(maxLag, elapsed - (c.sent * 1000) / o.ratePerS);
      while (c.sent < due) publishOne(c.sent);
      if (c.sent >= total) {
        clearInterval(timer);
        done();
      }
    }, 5);
  });
  const sendEnd = performance.now();
  let timedOut = false;
  if (outstanding > 0) {
    timedOut = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(true), o.drainTimeoutMs ?? 30_000);
      allAcked = () => {
        clearTimeout(t);
        resolve(false);
      };
    });
  }
  const durationMs = Math.max(sendEnd, lastAck) - started;
  await Promise.all(clients.map(({ client }) => endClient(client, timedOut ? 0 : 5000)));
  const seconds = Math.max(durationMs, 1) / 1000;
  return {
    sent: c.sent,
    acked: c.acked,
    durationMs: Math.round(durationMs),
    readingsSent: c.readingsSent,
    readingsAcked: c.readingsAcked,
    errors: c.errors,
    timedOut,
    ackLatencyMs: percentiles(c.latencies),
    messagesPerS: Math.round(c.acked / seconds),
    readingsPerS: Math.round(c.readingsAcked / seconds),
    seqRange: { first: firstSeq, last: Math.max(...seqs) - 1 },
    offeredPerS: o.ratePerS,
    shocks,
    maxScheduleLagMs: Math.round(maxLag),
  };
}

/**
 * One message: a plausible reading (cheap arithmetic instead of the full condition model,
 * so the simulator does not compete with the platform for CPU), or a batch of them,
 * measured 1 s apart and ending now.
 */
export function loadPayload(firstSeq: number, batchSize: number, sentAtMs: number, shockG = 0.2): string {
  const reading = (seq: number, tsMs: number): SimReading => ({
    seq,
    ts: new Date(tsMs).toISOString(),
    lat: 34.0522 + (seq % 1000) * 1e-4,
    lon: -118.2437 + (seq % 1000) * 1e-4,
    accM: 8,
    tempC: 4 + (seq % 50) / 10,
    humidityPct: 45,
    shockG,
    tiltDeg: 3,
    lightLux: 0,
    batteryPct: 90,
    rssiDbm: -91,
    simSentAt: sentAtMs,
  });
  if (batchSize === 1) return JSON.stringify(reading(firstSeq, sentAtMs));
  const readings = Array.from({ length: batchSize }, (_, k) =>
    reading(firstSeq + k, sentAtMs - (batchSize - 1 - k) * 1000),
  );
  return JSON.stringify({ readings });
}

async function connectAll(o: LoadOptions): Promise<{ id: string; client: MqttClient }[]> {
  const out: { id: string; client: MqttClient }[] = [];
  const size = o.connectConcurrency ?? 50;
  try {
    for (let i = 0; i < o.devices.length; i += size) {
      const batch = o.devices.slice(i, i + size).map(async (d) => {
        const client = connect(o.url, deviceClientOptions(d.id, d.secret, o.mqttOptions));
        out.push({ id: d.id, client });
        await firstConnect(client);
      });
      await Promise.all(batch);
    }
  } catch (err) {
    for (const { client } of out) client.end(true);
    throw err;
  }
  return out;
}

function percentiles(values: number[]): LoadResult['ackLatencyMs'] {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number =>
    round1(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round1(sorted[sorted.length - 1] as number) };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      devices: { type: 'string' },
      messages: { type: 'string', default: '1000' },
      batch: { type: 'string', default: '1' },
      window: { type: 'string', default: '64' },
      'first-seq': { type: 'string', default: '0' },
      timeout: { type: 'string', default: '120' },
      rate: { type: 'string' },
      seconds: { type: 'string', default: '30' },
      'shock-every': { type: 'string', default: '0' },
      'shock-g': { type: 'string', default: '30' },
    },
    strict: true,
  });
  // This process's own CPU over the run (µs, all threads), so a benchmark can keep the
  // generator's cost apart from the broker's; measured here, after the module loading.
  const cpuFrom = process.cpuUsage();
  const cpuUs = () => {
    const u = process.cpuUsage(cpuFrom);
    return u.user + u.system;
  };
  // A line before the summary, so a benchmark can start its CPU window after the connects.
  const onConnected = () => process.stdout.write('{"connected":true}\n');
  if (values.url && values.devices && values.rate) {
    const result = await runRate({
      url: values.url,
      devices: await readDevicesFile(values.devices),
      ratePerS: Number(values.rate),
      seconds: Number(values.seconds),
      shockEvery: Number(values['shock-every']),
      shockG: Number(values['shock-g']),
      firstSeq: Number(values['first-seq']),
      drainTimeoutMs: Number(values.timeout) * 1000,
      onConnected,
    });
    process.stdout.write(`${JSON.stringify({ ...result, cpuUs: cpuUs() })}\n`);
    return;
  }
  if (!values.url || !values.devices) {
    console.error(
      'usage: tsx device-sim/load.ts --url mqtt://host:port --devices devices.json [--messages 1000] [--batch 1] [--window 64] [--first-seq 0] [--timeout 120]',
    );
    process.exitCode = 2;
    return;
  }
  const result = await runLoad({
    url: values.url,
    devices: await readDevicesFile(values.devices),
    messagesPerDevice: Number(values.messages),
    batchSize: Number(values.batch),
    concurrencyPerDevice: Number(values.window),
    firstSeq: Number(values['first-seq']),
    timeoutMs: Number(values.timeout) * 1000,
    onConnected,
  });
  process.stdout.write(`${JSON.stringify({ ...result, cpuUs: cpuUs() })}\n`);
}

const invokedDirectly =
  process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  cli().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

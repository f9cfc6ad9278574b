import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';

/**
 * The bench's dashboard: a separate process on /api/live, as a browser would be, timing
 * what the platform pushes against when the reading was published (same machine clock):
 *  - an exception event: from its breaching reading's ts (the load generator sets ts to the
 *    publish time) to the first message carrying that exception;
 *  - a parcel update: from the shown reading's simSentAt to the first message showing it.
 * Ignores anything measured before --since (epoch ms). On SIGTERM prints a JSON summary.
 *
 *   tsx scripts/live-latency.ts --url ws://127.0.0.1:3000/api/live --token … --since 1700000000000
 */
const { values } = parseArgs({
  options: { url: { type: 'string' }, token: { type: 'string' }, since: { type: 'string', default: '0' } },
});
const since = Number(values.since);
const exceptionMs: number[] = [];
const parcelMs: number[] = [];
const seenExceptions = new Set<number>();
const seenReadings = new Set<string>();
let messages = 0;

interface LiveMessage {
  type: string;
  exceptions?: { id: number; startedAt: string; rule: string }[];
  parcels?: { deviceId: string; reading: { seq?: number; extra?: { simSentAt?: number } } | null }[];
}

const ws = new WebSocket(values.url!, { headers: { authorization: `Bearer ${values.token}` } });
ws.on('open', () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));
// The platform went away (the bench ended or failed): nothing more to measure.
ws.on('close', () => process.exit(0));
ws.on('error', (err) => {
  console.error(`live-latency: ${err.message}`);
  process.exit(1);
});
ws.on('message', (data: Buffer) => {
  const now = Date.now();
  messages++;
  const msg = JSON.parse(String(data)) as LiveMessage;
  if (msg.type === 'exceptions') {
    for (const e of msg.exceptions ?? []) {
      const started = Date.parse(e.startedAt);
      if (seenExceptions.has(e.id) || started < since) continue;
      seenExceptions.add(e.id);
      exceptionMs.push(now - started);
    }
  } else if (msg.type === 'parcels') {
    for (const p of msg.parcels ?? []) {
      const sent = p.reading?.extra?.simSentAt;
      const key = `${p.deviceId}/${p.reading?.seq}`;
      if (typeof sent !== 'number' || sent < since || seenReadings.has(key)) continue;
      seenReadings.add(key);
      parcelMs.push(now - sent);
    }
  }
});

function percentiles(values: number[]) {
  if (values.length === 0) return { n: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { n: values.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

process.on('SIGTERM', () => {
  process.stdout.write(
    `${JSON.stringify({ messages, exceptionEventMs: percentiles(exceptionMs), parcelUpdateMs: percentiles(parcelMs) })}\n`,
  );
  process.exit(0);
});

/**
 * Runs a fleet of simulated trackers against a broker in real time.
 *
 *   tsx device-sim/main.ts --url mqtt://127.0.0.1:1884 --devices devices.json \
 *     [--interval 60] [--gaps] [--duplicates] [--out-of-order] [--seed 1] [--speedup 1] \
 *     [--profile cold-chain|ambient] [--ts-format rfc3339|epoch-ms|mixed] [--state file] [--first-seq n]
 *
 * seq must keep growing across runs (the platform ignores a (device, seq) it already has),
 * so each device's next seq is saved to a state file (default: <devices>.seq-state.json)
 * and picked up by the next run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readDevicesFile } from './devices-file.ts';
import { startFleet, type Fleet, type FleetStats } from './fleet.ts';
import { PROFILES, type ProfileName } from './profiles.ts';
import type { TsFormat } from './reading-generator.ts';

const STATUS_EVERY_MS = 10_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      devices: { type: 'string' },
      interval: { type: 'string', default: '60' },
      gaps: { type: 'boolean', default: false },
      duplicates: { type: 'boolean', default: false },
      'out-of-order': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      speedup: { type: 'string', default: '1' },
      profile: { type: 'string', default: 'cold-chain' },
      'ts-format': { type: 'string', default: 'rfc3339' },
      state: { type: 'string' },
      'first-seq': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || !values.url || !values.devices) {
    console.error(
      'usage: tsx device-sim/main.ts --url mqtt://host:port --devices devices.json [--interval s] [--gaps] [--duplicates] [--out-of-order] [--seed n] [--speedup x] [--profile cold-chain|ambient] [--ts-format rfc3339|epoch-ms|mixed] [--state file] [--first-seq n]',
    );
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  if (!(values.profile in PROFILES)) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
  if (!['rfc3339', 'epoch-ms', 'mixed'].includes(values['ts-format']))
    throw new Error('--ts-format must be rfc3339, epoch-ms or mixed');

  const devices = await readDevicesFile(values.devices);
  const statePath = values.state ?? `${values.devices.replace(/\.json$/, '')}.seq-state.json`;
  const savedSeqs = await readState(statePath);
  const firstSeqOverride =
    values['first-seq'] === undefined ? undefined : positiveInt(values['first-seq'], '--first-seq', 0);

  const fleet = await startFleet({
    url: values.url,
    devices,
    intervalS: positiveInt(values.interval, '--interval', 1),
    seed: positiveInt(values.seed, '--seed', 0),
    timeScale: Number(values.speedup) > 0 ? Number(values.speedup) : 1,
    profile: values.profile as ProfileName,
    behaviours: {
      gaps: values.gaps,
      duplicates: values.duplicates,
      outOfOrder: values['out-of-order'],
      tsFormat: values['ts-format'] as TsFormat,
    },
    firstSeq: (id) => firstSeqOverride ?? savedSeqs[id] ?? 0,
    onError: (id, err) => console.error(`${new Date().toISOString()} ${id}: ${err.message}`),
  });
  console.log(`${devices.length} trackers connected to ${values.url}; seq state in ${statePath}`);

  const began = Date.now();
  let lastAcked = 0;
  const status = setInterval(() => {
    const s = fleet.stats();
    console.log(statusLine(s, (s.acked - lastAcked) / (STATUS_EVERY_MS / 1000), Date.now() - began));
    lastAcked = s.acked;
    saveState(statePath, fleet).catch((err: unknown) => console.error(`cannot save ${statePath}: ${String(err)}`));
  }, STATUS_EVERY_MS);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      console.error(`${signal} again: exiting without a clean stop`);
      process.exit(130);
    }
    stopping = true;
    clearInterval(status);
    console.log(`${signal}: publishing offline status and disconnecting…`);
    fleet
      .stop()
      .then(() => saveState(statePath, fleet))
      .then(() => console.log(statusLine(fleet.stats(), 0, Date.now() - began)))
      .catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

function statusLine(s: FleetStats, ackedPerS: number, upMs: number): string {
  return (
    `${new Date().toISOString()} up ${Math.round(upMs / 1000)}s | ${s.connected}/${s.devices} connected | ` +
    `generated ${s.generated} published ${s.published} acked ${s.acked} (${ackedPerS.toFixed(1)}/s) | ` +
    `buffered ${s.buffered} duplicates ${s.duplicates} errors ${s.errors}`
  );
}

async function readState(path: string): Promise<Record<string, number>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => Number.isInteger(e[1])));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

async function saveState(path: string, fleet: Fleet): Promise<void> {
  const state = Object.fromEntries(fleet.trackers.map((t) => [t.id, t.stats().nextSeq]));
  await writeFile(path, `${JSON.stringify(state, null, 1)}\n`);
}

function positiveInt(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got "${text}"`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

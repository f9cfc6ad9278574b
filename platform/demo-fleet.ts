import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../device-sim/fleet.ts';
import type { Platform } from './start-platform.ts';

interface DemoParcel {
  id: string;
  secret: string;
  sampleId: string;
}

const CREATORS = ['@ava.cooks', '@glowwithmia', '@techtariq', '@snackqueen.jo', '@fitwithleo', '@thebakingbro',
  '@skin.by.sana', '@gadgetgabe', '@matcha.mornings', '@lunchbox.lily', '@camp.kitchen', '@petpalpriya'];
const SKUS = ['CHOC-70-BAR', 'SERUM-VITC-30ML', 'EARBUDS-X2', 'MATCHA-TIN-100G', 'PROTEIN-BAR-12', 'CANDLE-GLASS-L'];

/**
 * The demo fleet: N provisioned trackers, each packed in a sample for a demo creator,
 * driven by the device simulator over real MQTT. Credentials are kept under DATA_DIR so a
 * restart reuses the same trackers and samples, and each continues its seq where it stopped.
 */
export async function startDemoFleet(platform: Platform): Promise<Fleet | undefined> {
  const { env, services, pool, log } = platform;
  const size = env.DEMO_FLEET;
  if (size === 0) return undefined;
  const file = join(env.DATA_DIR, 'demo-fleet.json');
  let parcels: DemoParcel[] = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as DemoParcel[]) : [];
  // Only trackers this database knows (DATABASE_URL may have changed since the file was written).
  const known = new Set((await services.devices.list()).map((d) => d.id));
  parcels = parcels.filter((p) => known.has(p.id));
  for (let i = parcels.length; i < size; i++) {
    const id = `trk-demo-${String(i + 1).padStart(4, '0')}`;
    const { secret } = known.has(id)
      ? { secret: '' } // provisioned earlier but its secret is lost: skip it
      : await services.devices.provision({ id, label: 'demo fleet' });
    if (!secret) continue;
    const sample = await services.samples.create({
      creator: CREATORS[i % CREATORS.length]!, sku: SKUS[i % SKUS.length]!, campaign: 'Demo launch',
    });
    await services.samples.attachTracker(sample.id, id);
    parcels.push({ id, secret, sampleId: sample.id });
  }
  await mkdir(env.DATA_DIR, { recursive: true });
  await writeFile(file, JSON.stringify(parcels, null, 2), { mode: 0o600 });

  const { rows } = await pool.query<{ id: string; next: number }>(
    'select device_id as id, max(seq) + 1 as next from telemetry where device_id = any($1) group by device_id',
    [parcels.map((p) => p.id)],
  );
  const nextSeq = new Map(rows.map((r) => [r.id, Number(r.next)]));
  const fleet = await startFleet({
    url: platform.mqttUrl,
    devices: parcels.slice(0, size),
    intervalS: env.DEMO_INTERVAL_S,
    seed: 2026,
    // Parcels cross the map in minutes instead of days, so a newcomer sees them move.
    timeScale: 600,
    firstSeq: (id) => nextSeq.get(id) ?? 0,
    onError: (id, err) => log.debug({ deviceId: id, err: err.message }, 'demo tracker error'),
  });
  log.info({ trackers: parcels.length, intervalS: env.DEMO_INTERVAL_S }, 'demo fleet started');
  return fleet;
}

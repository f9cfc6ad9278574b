import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONDITION_PRESETS, type PresetName } from '../core/domain/condition/index.ts';
import { startFleet, type Fleet } from '../device-sim/fleet.ts';
import type { Platform } from './start-platform.ts';

interface DemoParcel {
  id: string;
  secret: string;
  sampleId: string;
}

const CREATORS = ['@ava.cooks', '@glowwithmia', '@techtariq', '@snackqueen.jo', '@fitwithleo', '@thebakingbro',
  '@skin.by.sana', '@gadgetgabe', '@matcha.mornings', '@lunchbox.lily', '@camp.kitchen', '@petpalpriya'];
/** Demo products and what they tolerate, so the rules have something to judge. */
const PRODUCTS: { sku: string; name: string; cents: number; profile: PresetName | null }[] = [
  { sku: 'CHOC-70-BAR', name: 'Dark chocolate 70 %', cents: 450, profile: 'chocolate' },
  { sku: 'SERUM-VITC-30ML', name: 'Vitamin C serum', cents: 2200, profile: 'cold-chain' },
  { sku: 'EARBUDS-X2', name: 'Wireless earbuds', cents: 3900, profile: 'fragile' },
  { sku: 'MATCHA-TIN-100G', name: 'Matcha tin', cents: 900, profile: 'ambient' },
  { sku: 'PROTEIN-BAR-12', name: 'Protein bars, 12', cents: 1500, profile: null },
  { sku: 'CANDLE-GLASS-L', name: 'Candle in glass', cents: 1800, profile: 'fragile' },
];
const SKUS = PRODUCTS.map((p) => p.sku);
const OPS = { kind: 'user' as const, id: 'demo-ops' };

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
  const fresh = parcels.length === 0;
  // Only trackers this database knows (DATABASE_URL may have changed since the file was written).
  const known = new Set((await services.devices.list()).map((d) => d.id));
  parcels = parcels.filter((p) => known.has(p.id));
  for (const p of PRODUCTS) {
    await services.products.create(p.sku, {
      name: p.name, variant: null, unitCostCents: p.cents, limited: false, inventoryOnHand: 500,
      // Demo trips last minutes, not days: judge them 30 s after packing instead of 15 min.
      conditionProfile: p.profile ? { ...CONDITION_PRESETS[p.profile], ignoreAfterStartMs: 30_000 } : null,
    }).catch(() => {}); // exists from an earlier start
  }
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
    await shipDemoSample(platform, sample.id, i);
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
  // The trip's geofences are where the simulator drives: departure, arrival and the box
  // opened at the creator's door then show up as tracker evidence on the samples.
  for (const t of fleet.trackers) {
    const p = parcels.find((x) => x.id === t.id);
    if (!p) continue;
    await services.samples.setGeofences(p.sampleId, {
      origin: { lat: t.route.origin.lat, lon: t.route.origin.lon },
      destination: { lat: t.route.destination.lat, lon: t.route.destination.lon },
      radiusM: 500,
    }).catch((err: unknown) => log.debug({ err, sampleId: p.sampleId }, 'demo geofences not set'));
  }
  if (fresh) {
    // On a first start, one fragile parcel is dropped after 45 s, so a newcomer sees an
    // exception, its alert and the sample's damaged branch within a minute.
    const fragile = parcels.findIndex((_, i) => SKUS[i % SKUS.length] === 'EARBUDS-X2');
    const tracker = fleet.trackers.find((t) => t.id === parcels[fragile]?.id);
    if (tracker) setTimeout(() => void tracker.drop({ g: 14 }).catch(() => {}), 45_000).unref();
  }
  log.info({ trackers: parcels.length, intervalS: env.DEMO_INTERVAL_S }, 'demo fleet started');
  return fleet;
}

/** Approves, labels and dispatches a demo sample as ops would, so its trip is live. */
async function shipDemoSample(platform: Platform, sampleId: string, i: number): Promise<void> {
  const steps = [
    { type: 'approve' as const, actor: OPS, reason: 'demo send', data: {} },
    { type: 'create_label' as const, actor: OPS, data: { carrier: 'ups', serviceLevel: 'ground', trackingId: `1ZDEMO${String(i).padStart(8, '0')}` } },
    { type: 'dispatch' as const, actor: OPS, data: { packedItems: [{ skuId: SKUS[i % SKUS.length]!, quantity: 1 }], warehouseConfirmation: 'WH-DEMO' } },
  ];
  for (const step of steps) {
    try {
      await platform.services.lifecycle.applyEvent(sampleId, step);
    } catch (err) {
      // The policy may already have decided (auto-approval); the demo goes on either way.
      platform.log.debug({ err, sampleId, step: step.type }, 'demo lifecycle step skipped');
    }
  }
}

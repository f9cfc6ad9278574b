import { systemActor } from '../core/domain/auth/principal.ts';
import { DomainError } from '../core/domain/errors.ts';
import { CreatorService } from '../core/services/creator.service.ts';
import { FollowUpScheduler } from '../workers/follow-up.scheduler.ts';
import { PolicyService } from '../core/services/policy.service.ts';
import { CampaignService } from '../core/services/campaign.service.ts';
import { DEMO_CAMPAIGN_TERMS } from './demo-campaigns.ts';
import { ProductService } from '../core/services/product.service.ts';
import { SampleLifecycleService } from '../core/services/sample-lifecycle.service.ts';
import { DEFAULT_PROGRAM_CONFIG, type SampleProgramConfig } from '../core/services/sample-program.config.ts';
import { demoProfile } from './demo-scripts.ts';
import { planDemoHistory, type PlannedSample, type PlannedStep } from './demo-history-plan.ts';
import type { Platform } from './start-platform.ts';

/**
 * A believable demo program under the live demo fleet: on a first start (no sample yet)
 * DEMO_HISTORY_DAYS of history (demo-history-plan.ts) is played through the real services,
 * each on a clock set to the event's time, so every record went through the approval policy
 * and the lifecycle's state machine as if it had happened then. Audited as system:demo.
 *
 * Requests run one after another in time order (the policy's decisions count earlier sends);
 * each sample's later events only touch that sample, so samples play them side by side.
 */

const SEED = 2026;
const BY = systemActor('demo');
const PARALLEL = 12;

export interface DemoHistoryReport {
  creators: number;
  products: number;
  samples: number;
  /** Planned steps the services refused ("SMP-…: event: why"; the sample stays where it got to). */
  refused: string[];
  ms: number;
}

type Deps = Pick<Platform, 'pool' | 'env' | 'log' | 'services'>;

/** Seeds the history when the demo runs and the program is empty; undefined when it did not. */
export async function seedDemoHistory(
  platform: Deps,
  opts: { now?: Date; program?: SampleProgramConfig } = {},
): Promise<DemoHistoryReport | undefined> {
  const { env, pool, log } = platform;
  const days = env.DEMO_HISTORY_DAYS;
  if (env.DEMO_FLEET === 0 || days === 0) return undefined;
  if ((await platform.services.samples.list({ limit: 1, offset: 0 })).length > 0) return undefined;
  const started = Date.now();
  const now = (opts.now ?? new Date()).getTime();
  const program = opts.program ?? {
    ...DEFAULT_PROGRAM_CONFIG,
    geofences: { warehouse: env.ORIGIN_WAREHOUSE ?? null, radiusM: env.GEOFENCE_RADIUS_M },
  };
  const plan = planDemoHistory(SEED, now, days);
  let clock = now;
  const at = () => new Date(clock);
  const products = new ProductService({ pool, now: at });
  const creators = new CreatorService({ pool, now: at, policy: new PolicyService({ pool, pinned: program }) });
  const existing = (err: unknown) => {
    if (!(err instanceof DomainError && err.code === 'ALREADY_EXISTS')) throw err;
  };

  for (const p of plan.products) {
    clock = now - (days + 60) * 86_400_000;
    await products
      .create(
        p.sku,
        {
          name: p.name,
          variant: null,
          unitCostCents: p.unitCostCents,
          limited: p.limited,
          inventoryOnHand: p.stock,
          conditionProfile: p.demo ? demoProfile(p.demo) : null,
          needsTracker: false,
        },
        BY,
      )
      .catch(existing);
  }
  for (const c of plan.creators) {
    clock = c.createdAt;
    await creators
      .create(
        {
          handle: c.handle,
          displayName: c.displayName,
          notes: c.notes,
          standing: c.standing,
          contact: { dm: c.handle },
          addresses: [
            {
              line1: `${100 + (c.followers % 800)} Main St`,
              city: c.city.name,
              region: c.city.region,
              postalCode: c.city.postalCode,
              country: 'US',
              lat: c.city.lat,
              lon: c.city.lon,
            },
          ],
        },
        BY,
      )
      .catch(existing);
  }

  // The campaigns as records before any sample names them (the trigger would make bare ones).
  const campaigns = new CampaignService({ pool, now: at });
  const catalogue = new Set(plan.products.map((p) => p.sku));
  for (const c of plan.campaigns) {
    clock = Date.parse(c.startsOn) - 14 * 86_400_000;
    const terms = DEMO_CAMPAIGN_TERMS[c.id]!;
    await campaigns.create({ ...terms, ...c, skus: terms.skus.filter((s) => catalogue.has(s)) }, BY).catch(existing);
  }

  // Requests in time order, on one clock: ids and the policy's decisions follow the history.
  const lifecycle = new SampleLifecycleService({ pool, program, now: at });
  const ids = new Map<PlannedSample, string>();
  // Milliseconds per phase in the log: the seed is meant to take seconds, not minutes.
  const phases: Record<string, number> = { setup: Date.now() - started };
  const mark = (name: string) =>
    (phases[name] = Date.now() - started - Object.values(phases).reduce((a, b) => a + b, 0));
  for (const s of plan.samples) {
    clock = s.requestAt;
    const { sample } = await lifecycle.request(
      {
        creator: s.creator,
        sku: s.sku,
        campaign: s.campaign,
        quantity: 1,
        source: s.source,
        requestedBy: s.requestedBy,
      },
      BY,
    );
    ids.set(s, sample.id);
  }

  mark('requests');
  const refused: string[] = [];
  // Each sample's own events, on its own clock.
  const play = async (sampleId: string, steps: PlannedStep[]) => {
    let own = 0;
    const service = new SampleLifecycleService({ pool, program, now: () => new Date(own) });
    for (const { at: when, ...event } of steps) {
      own = when.getTime();
      try {
        await service.applyEvent(sampleId, { ...event, at: when }, BY);
      } catch (err) {
        // The policy decided otherwise than planned (e.g. refused): the rest does not apply.
        refused.push(`${sampleId}: ${event.type}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
  };
  await inParallel(plan.samples, (s) => play(ids.get(s)!, s.steps));

  mark('journeys');
  // Reships after their originals are damaged or lost, again in time order.
  const reships = plan.samples.filter((s) => s.reship).sort((a, b) => a.reship!.at - b.reship!.at);
  const reshipIds = new Map<PlannedSample, string>();
  for (const s of reships) {
    clock = s.reship!.at;
    try {
      const { sample } = await lifecycle.reship(ids.get(s)!, { requestedBy: s.reship!.requestedBy }, BY);
      reshipIds.set(s, sample.id);
    } catch (err) {
      refused.push(`${ids.get(s)}: reship: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await inParallel(
    reships.filter((s) => reshipIds.has(s)),
    (s) => play(reshipIds.get(s)!, s.reship!.steps),
  );

  mark('reships');
  // What the follow-up scheduler would have done by now (creators who missed a post are downgraded).
  const { creatorLinks, messages } = platform.services;
  await new FollowUpScheduler(pool, program, { creatorLinks, messages }).runOnce(new Date(now));
  mark('followUps');

  const report = {
    creators: plan.creators.length,
    products: plan.products.length,
    samples: plan.samples.length + reshipIds.size,
    refused,
    ms: Date.now() - started,
  };
  // A refusal means the plan and the policy disagree: worth a look, not worth stopping the demo.
  if (refused.length) log.warn({ refused }, 'demo history: some planned steps were refused');
  log.info({ ...report, refused: refused.length, days, phases }, 'demo history seeded');
  return report;
}

async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

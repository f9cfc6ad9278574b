import type { EventInput } from '../core/services/sample-lifecycle.service.ts';
import type { CreatorStanding } from '../core/storage/repositories/creator.repository.ts';
import type { RequestSource } from '../core/domain/sample/sample-state.ts';
import { Rng, hashSeed, rngFor } from '../device-sim/prng.ts';
import { DEMO_PRODUCTS, type DemoProduct } from './demo-scripts.ts';

/**
 * The demo program's history as a pure plan: creators, products, campaigns and, per
 * sample, the request and the lifecycle events with their times. platform/demo-history.ts
 * plays it through the real services. A function of (seed, now, days) only, so a demo is
 * reproducible; each sample draws from its own random stream, so its story does not shift
 * when another's changes.
 */

const H = 3_600_000;
const D = 24 * H;

export interface PlannedCreator {
  handle: string;
  displayName: string;
  followers: number;
  niche: string;
  standing: CreatorStanding;
  notes: string;
  city: { name: string; region: string; postalCode: string; lat: number; lon: number };
  createdAt: number;
}

export interface PlannedProduct {
  sku: string;
  name: string;
  unitCostCents: number;
  stock: number;
  limited: boolean;
  /** One of the demo fleet's products (its condition profile comes from demo-scripts.ts). */
  demo?: DemoProduct;
}

/** What a sample is meant to end as by now. */
export type Fate =
  | 'pending_review'
  | 'rejected_restricted'
  | 'rejected_review'
  | 'cancelled'
  | 'approved'
  | 'label_created'
  | 'dispatched'
  | 'in_transit'
  | 'delivery_exception'
  | 'returned_to_sender'
  | 'delivered'
  | 'content_due'
  | 'extension'
  | 'posted'
  | 'outcome'
  | 'no_post'
  | 'damaged_open'
  | 'damaged_resolved'
  | 'damaged_reshipped'
  | 'lost_open'
  | 'lost_reshipped'
  | 'written_off';

export interface PlannedStep extends EventInput {
  at: Date;
}

export interface PlannedSample {
  key: string;
  fate: Fate;
  requestAt: number;
  creator: string;
  sku: string;
  campaign: string;
  source: RequestSource;
  requestedBy: string;
  steps: PlannedStep[];
  /** Damaged or lost, then replaced: the reship request and its own events. */
  reship?: { at: number; requestedBy: string; steps: PlannedStep[] };
}

/** A campaign of the history: its key, name and the days it ran (YYYY-MM-DD). */
export interface PlannedCampaign {
  id: string;
  name: string;
  startsOn: string;
  endsOn: string;
}

export interface DemoHistoryPlan {
  campaigns: PlannedCampaign[];
  creators: PlannedCreator[];
  products: PlannedProduct[];
  samples: PlannedSample[];
}

// How many samples of each fate (about 300 over 90 days; fewer for a shorter history).
const FATES: readonly [Fate, number][] = [
  ['pending_review', 6],
  ['rejected_restricted', 4],
  ['rejected_review', 4],
  ['cancelled', 3],
  ['approved', 6],
  ['label_created', 6],
  ['dispatched', 6],
  ['in_transit', 12],
  ['delivery_exception', 3],
  ['returned_to_sender', 2],
  ['delivered', 8],
  ['content_due', 18],
  ['extension', 8],
  ['posted', 40],
  ['outcome', 110],
  ['no_post', 12],
  ['damaged_open', 4],
  ['damaged_resolved', 4],
  ['damaged_reshipped', 4],
  ['lost_open', 3],
  ['lost_reshipped', 3],
  ['written_off', 5],
];
/** Fates whose sample has finished by now: placed anywhere in the history. */
const TERMINAL = new Set<Fate>([
  'rejected_restricted',
  'rejected_review',
  'cancelled',
  'returned_to_sender',
  'outcome',
  'no_post',
  'damaged_resolved',
  'damaged_reshipped',
  'lost_reshipped',
  'written_off',
]);
/** For a fate still in progress: how long ago its last event may be (its next step is not due yet). */
const GAP_MAX: Partial<Record<Fate, number>> = {
  pending_review: 2 * D,
  approved: 2 * D,
  label_created: 1.5 * D,
  dispatched: 10 * H,
  in_transit: 1.5 * D,
  delivery_exception: 2 * D,
  delivered: 3 * D,
  content_due: 8 * D,
  extension: 5 * D,
  posted: 25 * D,
  damaged_open: 4 * D,
  lost_open: 5 * D,
};

// `id` is the key samples carry; the record's brief and terms are in demo-campaigns.ts.
const CAMPAIGNS: readonly { id: string; name: string; fromDay: number; toDay: number; weight: number }[] = [
  { id: 'always-on', name: 'Always-on seeding', fromDay: 90, toDay: 0, weight: 1 },
  { id: 'spring-glow', name: 'Spring glow launch', fromDay: 90, toDay: 45, weight: 2 },
  { id: 'snack-season', name: 'Snack season', fromDay: 60, toDay: 15, weight: 2 },
  { id: 'holiday-gadget-drop', name: 'Holiday gadget drop', fromDay: 30, toDay: 0, weight: 2.5 },
];

const EXTRA_PRODUCTS: readonly Omit<PlannedProduct, 'demo'>[] = [
  { sku: 'LIPTINT-DUO', name: 'Lip tint duo', unitCostCents: 800, stock: 220, limited: false },
  { sku: 'HAIR-OIL-50ML', name: 'Argan hair oil', unitCostCents: 1250, stock: 160, limited: false },
  { sku: 'CHILI-CRISP-3', name: 'Chili crisp, 3 jars', unitCostCents: 1100, stock: 180, limited: false },
  { sku: 'RING-LIGHT-18', name: '18" ring light', unitCostCents: 6400, stock: 60, limited: false },
  { sku: 'GRINDER-PRO', name: 'Espresso grinder', unitCostCents: 8900, stock: 40, limited: false },
  { sku: 'PERFUME-LTD-50', name: 'Limited eau de parfum', unitCostCents: 3400, stock: 30, limited: true },
];
const NICHE_OF_SKU: Record<string, string[]> = {
  'CHOC-70-BAR': ['food', 'baking'],
  'SERUM-VITC-30ML': ['beauty', 'skincare'],
  'EARBUDS-X2': ['tech', 'fitness'],
  'MATCHA-TIN-100G': ['food', 'wellness'],
  'PROTEIN-BAR-12': ['fitness', 'food'],
  'CANDLE-GLASS-L': ['home', 'lifestyle'],
  'LIPTINT-DUO': ['beauty'],
  'HAIR-OIL-50ML': ['beauty', 'lifestyle'],
  'CHILI-CRISP-3': ['food'],
  'RING-LIGHT-18': ['tech', 'beauty'],
  'GRINDER-PRO': ['food', 'tech'],
  'PERFUME-LTD-50': ['beauty', 'lifestyle'],
};

// The demo fleet's creators come first: the live trips go to people with a history.
const FLEET_HANDLES = [
  ['@ava.cooks', 'food'],
  ['@glowwithmia', 'beauty'],
  ['@techtariq', 'tech'],
  ['@snackqueen.jo', 'food'],
  ['@fitwithleo', 'fitness'],
  ['@thebakingbro', 'baking'],
  ['@skin.by.sana', 'skincare'],
  ['@gadgetgabe', 'tech'],
  ['@matcha.mornings', 'wellness'],
  ['@lunchbox.lily', 'food'],
  ['@camp.kitchen', 'food'],
  ['@petpalpriya', 'lifestyle'],
] as const;
const FIRST_NAMES = [
  'noah', 'zara', 'omar', 'ines', 'kai', 'maya', 'theo', 'rosa', 'yuki', 'dev', 'elle', 'marco',
  'nina', 'sol', 'amara', 'jules', 'rey', 'hana', 'luca', 'tess', 'ravi', 'bea', 'finn', 'nadia',
]; // prettier-ignore
const NICHES = ['beauty', 'skincare', 'food', 'baking', 'tech', 'fitness', 'wellness', 'home', 'lifestyle'];
const HANDLE_SHAPES: readonly ((n: string, t: string) => string)[] = [
  (n, t) => `@${n}.${t}`,
  (n, t) => `@${t}with${n}`,
  (n, t) => `@${n}${t}`,
  (n, t) => `@the${t}${n}`,
  (n, t) => `@${n}_${t}_`,
  (n, t) => `@${n}.does.${t}`,
];
const CITIES = [
  { name: 'Austin', region: 'TX', postalCode: '78701', lat: 30.2672, lon: -97.7431 },
  { name: 'Brooklyn', region: 'NY', postalCode: '11201', lat: 40.6943, lon: -73.9903 },
  { name: 'Los Angeles', region: 'CA', postalCode: '90012', lat: 34.0537, lon: -118.2428 },
  { name: 'Chicago', region: 'IL', postalCode: '60607', lat: 41.8748, lon: -87.6514 },
  { name: 'Atlanta', region: 'GA', postalCode: '30303', lat: 33.7537, lon: -84.3863 },
  { name: 'Seattle', region: 'WA', postalCode: '98101', lat: 47.6097, lon: -122.3331 },
  { name: 'Miami', region: 'FL', postalCode: '33130', lat: 25.7663, lon: -80.1989 },
  { name: 'Denver', region: 'CO', postalCode: '80202', lat: 39.7527, lon: -104.9997 },
  { name: 'Phoenix', region: 'AZ', postalCode: '85004', lat: 33.4515, lon: -112.0702 },
  { name: 'Nashville', region: 'TN', postalCode: '37203', lat: 36.1522, lon: -86.7896 },
];
const MANAGERS = ['priya.n', 'sam.k', 'lena.o'];
const CARRIERS = [
  { carrier: 'ups', serviceLevel: 'ground', prefix: '1Z' },
  { carrier: 'usps', serviceLevel: 'priority', prefix: '9400' },
  { carrier: 'fedex', serviceLevel: 'home_delivery', prefix: '7712' },
];
const SOURCES: readonly RequestSource[] = ['tiktok_affiliate', 'tiktok_affiliate', 'invitation', 'dm', 'form', 'email'];
const OPS = { kind: 'user' as const, id: 'demo-ops' };
const SCHEDULER = { kind: 'scheduler' as const, id: 'follow-up' };

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function planCreators(seed: number, now: number, days: number): PlannedCreator[] {
  const rng = rngFor(seed, 'creators');
  const handles: [string, string][] = FLEET_HANDLES.map(([h, n]) => [h, n]);
  const seen = new Set(handles.map(([h]) => h));
  while (handles.length < 60) {
    const niche = rng.pick(NICHES);
    const handle = rng.pick(HANDLE_SHAPES)(rng.pick(FIRST_NAMES), niche);
    if (!seen.has(handle)) handles.push([handle, niche]);
    seen.add(handle);
  }
  return handles.map(([handle, niche], i) => {
    // A long tail: a few big accounts, many small ones.
    const followers = Math.round(Math.exp(rng.range(Math.log(1_800), Math.log(950_000))) / 100) * 100;
    const name = handle.replace(/^@(the)?/, '').split(/[._]|with|does/)[0] || 'creator';
    // Two restricted (kept for the history: they were sent before), three on watch.
    const standing: CreatorStanding = i === 20 || i === 41 ? 'restricted' : i % 17 === 5 ? 'watch' : 'active';
    const size = followers >= 100_000 ? `${(followers / 1000).toFixed(0)}k` : `${(followers / 1000).toFixed(1)}k`;
    const why =
      standing === 'restricted'
        ? ' Restricted: two sends without a post last quarter.'
        : standing === 'watch'
          ? ' On watch: posts late.'
          : '';
    return {
      handle,
      displayName: `${titleCase(name)} (${niche})`,
      followers,
      niche,
      standing,
      notes: `TikTok, ${size} followers, ${niche}.${why}`,
      city: rng.pick(CITIES),
      createdAt: now - days * D - rng.range(5, 60) * D,
    };
  });
}

function planProducts(): PlannedProduct[] {
  return [
    // The fleet ships these all day: stock to match.
    ...DEMO_PRODUCTS.map((p) => ({
      sku: p.sku,
      name: p.name,
      unitCostCents: p.cents,
      stock: 5_000,
      limited: false,
      demo: p,
    })),
    ...EXTRA_PRODUCTS,
  ];
}

/** The chain of a fate from t0 (the request): every step, in order. Same rng seed → same durations. */
function chainOf(
  fate: Fate,
  rng: Rng,
  t0: number,
  who: {
    handle: string;
    sku: string;
    review: boolean;
    tracked: boolean;
    key: string;
    followers: number;
    unitCostCents: number;
  },
): { steps: PlannedStep[]; reshipAt?: number } {
  const steps: PlannedStep[] = [];
  let t = t0;
  const step = (dt: number, input: Omit<PlannedStep, 'at'>) => {
    t += dt;
    steps.push({ ...input, at: new Date(Math.round(t)) });
  };
  const manager = { kind: 'user' as const, id: rng.pick(MANAGERS) };
  // The first action comes after the decision whatever it is, so a review does not move the timeline.
  const toLabel = rng.range(5 * H, 40 * H);
  if (fate === 'pending_review') return { steps };
  if (fate === 'rejected_restricted') return { steps };
  if (fate === 'rejected_review') {
    step(rng.range(2 * H, 20 * H), { type: 'reject', actor: manager, reason: 'not a fit for this campaign', data: {} });
    return { steps };
  }
  // Drawn whether used or not, so a review does not shift the numbers drawn after it.
  const approveAfter = rng.range(1 * H, toLabel - H);
  if (who.review) {
    step(approveAfter, { type: 'approve', actor: manager, reason: 'good fit; approved', data: {} });
    if (fate !== 'cancelled') t -= approveAfter;
  }
  if (fate === 'cancelled') {
    step(rng.range(4 * H, 30 * H), { type: 'cancel', actor: OPS, reason: 'campaign brief changed', data: {} });
    return { steps };
  }
  if (fate === 'approved') return { steps };
  const c = rng.pick(CARRIERS);
  const trackingId = `${c.prefix}DEMO${hashSeed(7, who.key).toString(16).toUpperCase().padStart(8, '0')}`;
  const label = {
    carrier: c.carrier,
    serviceLevel: c.serviceLevel,
    trackingId,
    shippingCostCents: rng.int(450, 1400),
    packaging: rng.pick(['padded', 'box', 'chilled']),
  };
  // Sensitive products mostly rode with one of the program's trackers (drawn either way).
  const tracker = `trk-hist-${String(rng.int(1, 8)).padStart(2, '0')}`;
  if (rng.chance(0.7) && who.tracked) Object.assign(label, { trackerId: tracker });
  step(toLabel, { type: 'create_label', actor: OPS, data: label });
  if (fate === 'label_created') return { steps };
  step(rng.range(2 * H, 20 * H), {
    type: 'dispatch',
    actor: { kind: 'user', id: 'warehouse' },
    data: { packedItems: [{ skuId: who.sku, quantity: 1 }], warehouseConfirmation: `WH-${rng.int(10000, 99999)}` },
  });
  if (fate === 'dispatched') return { steps };
  const carrier = { kind: 'carrier' as const, id: c.carrier };
  step(rng.range(2 * H, 12 * H), { type: 'mark_in_transit', actor: carrier, data: { location: 'Memphis hub' } });
  if (fate === 'in_transit') return { steps };
  if (fate === 'delivery_exception' || fate === 'returned_to_sender') {
    step(rng.range(1 * D, 3 * D), {
      type: 'report_exception',
      actor: carrier,
      data: { detail: 'address not found' },
    });
    if (fate === 'returned_to_sender')
      step(rng.range(2 * D, 5 * D), { type: 'return_to_sender', actor: carrier, data: { detail: 'undeliverable' } });
    return { steps };
  }
  if (fate === 'lost_open' || fate === 'lost_reshipped' || fate === 'written_off') {
    step(rng.range(6 * D, 9 * D), {
      type: 'mark_lost',
      actor: carrier,
      reason: 'no scan for 6 days; carrier trace closed',
      data: {},
    });
    if (fate === 'written_off')
      step(rng.range(4 * H, 2 * D), {
        type: 'write_off',
        actor: manager,
        reason: 'low value; not worth a reship',
        data: {},
      });
    return fate === 'lost_reshipped' ? { steps, reshipAt: t + rng.range(4 * H, 30 * H) } : { steps };
  }
  const receivedAt = t + rng.range(1.5 * D, 4.5 * D);
  step(receivedAt - t + rng.range(0, 2 * H), {
    type: 'deliver',
    actor: carrier,
    data: { receivedAt: Math.round(receivedAt), evidence: 'courier' },
  });
  if (fate === 'delivered') return { steps };
  if (fate.startsWith('damaged')) {
    step(rng.range(1 * H, 20 * H), {
      type: 'report_damage',
      actor: OPS,
      data: { note: 'creator sent photos: box crushed, item broken', suspectedCause: 'transit' },
    });
    if (fate === 'damaged_open') return { steps };
    if (fate === 'damaged_reshipped') return { steps, reshipAt: t + rng.range(4 * H, 30 * H) };
    step(rng.range(4 * H, 2 * D), {
      type: 'resolve_damage',
      actor: manager,
      reason: 'only the outer box; the product is fine',
      data: {},
    });
  }
  // Only a confirmed receipt (content_due) can be extended.
  const extended = fate === 'extension' || (fate !== 'damaged_resolved' && rng.chance(0.15));
  const confirmed = rng.chance(0.8);
  if (!fate.startsWith('damaged') && (extended || confirmed)) {
    step(rng.range(2 * H, 36 * H), { type: 'confirm_receipt', actor: OPS, data: {} });
  }
  if (fate === 'content_due') return { steps };
  const postBy = receivedAt + (extended ? 19 : 13) * D;
  if (extended) {
    step(Math.max(H, receivedAt + rng.range(8, 12) * D - t), {
      type: 'grant_extension',
      actor: manager,
      reason: 'creator asked for a week more (travelling)',
      data: {},
    });
    if (fate === 'extension') return { steps };
  }
  if (fate === 'no_post') {
    // What the follow-up scheduler does 3 days after the final reminder.
    const noPostAt = receivedAt + ((extended ? 21 : 14) + 3) * D;
    step(Math.max(H, noPostAt - t + rng.range(0, 2 * H)), {
      type: 'mark_no_post',
      actor: SCHEDULER,
      reason: 'no post 3 days after the final reminder',
      data: {},
    });
    return { steps };
  }
  const publishedAt = Math.max(t + H, rng.range(receivedAt + 2 * D, postBy));
  step(publishedAt - t + rng.range(1 * H, 10 * H), {
    type: 'post',
    actor: OPS,
    data: {
      postUrl: `https://www.tiktok.com/${who.handle}/video/7${String(hashSeed(3, who.key)).padStart(10, '0')}${rng.int(10000000, 99999999)}`,
      publishedAt: Math.round(publishedAt),
      usableForAds: rng.chance(0.6),
    },
  });
  if (fate === 'posted') return { steps };
  // Reach grows with followers; most posts sell a little, a few sell a lot.
  const reach = Math.log10(who.followers) - 3;
  const orders = rng.chance(0.7) ? Math.max(1, Math.round(Math.exp(rng.normal(reach * 0.85, 0.8)))) : 0;
  const price = Math.round((who.unitCostCents * rng.range(2.4, 3.2)) / 100) * 100 - 1;
  step(publishedAt + 30 * D - t + rng.range(0, 3 * D), {
    type: 'record_outcome',
    actor: OPS,
    data: {
      orders,
      gmvCents: orders * price,
      classification: orders > 0 ? 'converted' : rng.chance(0.6) ? 'content_only' : 'no_result',
    },
  });
  return { steps };
}

function campaignAt(rng: Rng, now: number, at: number): string {
  const day = (now - at) / D;
  const open = CAMPAIGNS.filter((c) => day <= c.fromDay && day >= c.toDay);
  let w = rng.range(
    0,
    open.reduce((s, c) => s + c.weight, 0),
  );
  for (const c of open) if ((w -= c.weight) < 0) return c.id;
  return CAMPAIGNS[0]!.id;
}

/** The whole plan. `days` scales the number of samples (90 days: about 300). */
export function planDemoHistory(seed: number, now: number, days: number): DemoHistoryPlan {
  const creators = planCreators(seed, now, days);
  const products = planProducts();
  const productOf = new Map(products.map((p) => [p.sku, p]));
  const scale = Math.min(1, days / 90);
  const start = now - days * D;

  // 1. Each fate instance's timing, from its chain's length.
  const drafts: { key: string; fate: Fate; requestAt: number; length: number }[] = [];
  const dummy = {
    handle: '@x',
    sku: 'X',
    review: false,
    tracked: false,
    key: 'x',
    followers: 10_000,
    unitCostCents: 1000,
  };
  for (const [fate, n] of FATES) {
    for (let i = 0; i < Math.max(1, Math.round(n * scale)); i++) {
      const key = `${fate}-${i}`;
      const rng = rngFor(seed, `sample-${key}`);
      const { steps, reshipAt } = chainOf(fate, rng, 0, { ...dummy, key });
      const reshipTail = reshipAt !== undefined ? 50 * D : 0;
      const length = Math.max(reshipAt ?? 0, steps.at(-1)?.at.getTime() ?? 0) + reshipTail;
      const when = rngFor(seed, `when-${key}`);
      const requestAt = TERMINAL.has(fate)
        ? when.range(start, Math.max(start, now - length - H))
        : now - length - when.range(H, GAP_MAX[fate] ?? H);
      drafts.push({ key, fate, requestAt: Math.max(start, requestAt), length });
    }
  }
  drafts.sort((a, b) => a.requestAt - b.requestAt || (a.key < b.key ? -1 : 1));

  // 2. Who and what, in request order, within the approval policy's limits (3 sends per
  // creator per campaign, one of each SKU per creator), so the policy decides as planned.
  const assign = rngFor(seed, 'assign');
  const sent = new Map<string, Set<string>>();
  const perCampaign = new Map<string, number>();
  // A missed post restricts the creator (the follow-up scheduler): nobody asks for them after it.
  const blockedFrom = new Map<string, number>();
  // Approval reserves stock; a send the plan approves must find some.
  const reserved = new Map<string, number>();
  const weights = creators.map((_, i) => 1 / Math.pow(i + 1, 0.7));
  const samples: PlannedSample[] = [];
  for (const d of drafts) {
    const campaign = campaignAt(assign, now, d.requestAt);
    const restrictedOnly = d.fate === 'rejected_restricted';
    // Pending and reviewed-then-rejected requests are those the policy sends to a person.
    const needsReview = d.fate === 'pending_review' || d.fate === 'rejected_review';
    const units = d.fate.endsWith('_reshipped') ? 2 : 1;
    let chosen: { c: PlannedCreator; p: PlannedProduct } | undefined;
    for (let attempt = 0; attempt < 400 && !chosen; attempt++) {
      let w = assign.range(
        0,
        weights.reduce((s, x) => s + x, 0),
      );
      const ci = weights.findIndex((x) => (w -= x) < 0);
      const c = creators[ci < 0 ? 0 : ci]!;
      if ((c.standing === 'restricted') !== restrictedOnly) continue;
      if ((blockedFrom.get(c.handle) ?? Infinity) <= d.requestAt) continue;
      const fitting = products.filter((p) => NICHE_OF_SKU[p.sku]?.includes(c.niche));
      const p = assign.chance(0.75) && fitting.length ? assign.pick(fitting) : assign.pick(products);
      const review = p.unitCostCents >= 5000 || p.limited || c.standing === 'watch';
      if (needsReview && !review) continue;
      if (restrictedOnly) {
        chosen = { c, p };
        break;
      }
      if (sent.get(c.handle)?.has(p.sku)) continue;
      if ((reserved.get(p.sku) ?? 0) + units > p.stock) continue;
      if ((perCampaign.get(`${c.handle}|${campaign}`) ?? 0) >= 3) continue;
      chosen = { c, p };
    }
    if (!chosen) continue; // the catalogue cannot fit it: one sample fewer
    const { c, p } = chosen;
    if (d.fate === 'no_post') blockedFrom.set(c.handle, d.requestAt + d.length);
    if (!restrictedOnly && d.fate !== 'rejected_review') {
      sent.set(c.handle, (sent.get(c.handle) ?? new Set()).add(p.sku));
      if (d.fate !== 'pending_review') reserved.set(p.sku, (reserved.get(p.sku) ?? 0) + units);
      if (d.fate !== 'pending_review')
        perCampaign.set(`${c.handle}|${campaign}`, (perCampaign.get(`${c.handle}|${campaign}`) ?? 0) + 1);
    }
    const review = p.unitCostCents >= 5000 || p.limited || c.standing === 'watch';
    const who = {
      handle: c.handle,
      sku: p.sku,
      review,
      tracked: Boolean(p.demo?.preset),
      key: d.key,
      followers: c.followers,
      unitCostCents: productOf.get(p.sku)!.unitCostCents,
    };
    const { steps, reshipAt } = chainOf(d.fate, rngFor(seed, `sample-${d.key}`), d.requestAt, who);
    const sample: PlannedSample = {
      key: d.key,
      fate: d.fate,
      requestAt: d.requestAt,
      creator: c.handle,
      sku: p.sku,
      campaign,
      source: assign.pick(SOURCES),
      requestedBy: assign.pick(MANAGERS),
      steps,
    };
    if (reshipAt !== undefined) {
      const manager = { kind: 'user' as const, id: assign.pick(MANAGERS) };
      // The reship (its own approval, which closes the original), then a normal journey.
      const { steps: rest } = chainOf('outcome', rngFor(seed, `reship-${d.key}`), reshipAt, {
        ...who,
        key: `${d.key}-reship`,
        review: false,
      });
      sample.reship = {
        at: reshipAt,
        requestedBy: manager.id,
        steps: [
          { type: 'approve', actor: manager, reason: 'reship approved', at: new Date(reshipAt + 2 * H), data: {} },
          ...rest.filter((s) => s.at.getTime() > reshipAt + 2 * H),
        ],
      };
    }
    samples.push(sample);
  }
  // Nothing after now: a journey the clock has not reached yet stops where it is.
  for (const s of samples) {
    s.steps = s.steps.filter((e) => e.at.getTime() < now);
    if (s.reship) s.reship.steps = s.reship.steps.filter((e) => e.at.getTime() < now);
  }
  const day = (d: number) => new Date(now - d * D).toISOString().slice(0, 10);
  const campaigns = CAMPAIGNS.map((c) => ({ id: c.id, name: c.name, startsOn: day(c.fromDay), endsOn: day(c.toDay) }));
  return { campaigns, creators, products, samples };
}

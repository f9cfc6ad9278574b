import type { Sql } from '../sql.ts';

/** A send the policy left for a person, with what an approver weighs. */
export interface PendingApprovalRow {
  sampleId: string;
  creatorId: string | null;
  creator: string;
  creatorStanding: string | null;
  sku: string;
  productName: string | null;
  campaign: string | null;
  quantity: number;
  productCostCents: number;
  unitCostCents: number;
  onHand: number | null;
  requestedBy: string | null;
  requestedAt: string;
  reshipOf: string | null;
  policyDecision: { decision: string; rule: string; reasons: string[] } | null;
  /** Earlier sends to this creator (shipped), and how many of them were posted. */
  creatorSent: number;
  creatorPosted: number;
  creatorDamaged: number;
  /** Shipped with a tracker, and damaged, for this SKU across the program. */
  skuWithTracker: number;
  skuDamaged: number;
  /** Per carrier, for this SKU: shipped with a tracker, damaged. */
  carriers: { carrier: string; withTracker: number; damaged: number }[];
}

const iso = (col: string) => `to_json(${col})#>>'{}'`;

/** The approvals queue: samples still `requested` whose policy decision is needs_approver. */
export class ApprovalRepository {
  constructor(private readonly sql: Sql) {}

  async pending(f: { limit: number; offset: number }): Promise<{ rows: PendingApprovalRow[]; total: number }> {
    const { rows } = await this.sql.query<PendingApprovalRow & { total: number }>(
      `with pending as (
         select s.* from samples s
         where s.status = 'requested' and s.policy_decision->>'decision' = 'needs_approver'
       ), page as (
         select * from pending order by created_at, id limit $1 offset $2
       )
       select p.id as "sampleId", p.creator_id as "creatorId", p.creator, c.standing as "creatorStanding",
         p.sku, pr.name as "productName", p.campaign, p.quantity, p.product_cost_cents::float8 as "productCostCents",
         coalesce(round(pr.unit_cost * 100), round(p.product_cost_cents / greatest(p.quantity, 1)))::float8 as "unitCostCents",
         pr.inventory_on_hand as "onHand", p.requested_by as "requestedBy", ${iso('p.created_at')} as "requestedAt",
         p.reship_of as "reshipOf", p.policy_decision as "policyDecision",
         coalesce(ch.sent, 0) as "creatorSent", coalesce(ch.posted, 0) as "creatorPosted",
         coalesce(ch.damaged, 0) as "creatorDamaged",
         coalesce(sk.with_tracker, 0) as "skuWithTracker", coalesce(sk.damaged, 0) as "skuDamaged",
         coalesce(cr.carriers, '[]'::jsonb) as carriers,
         (select count(*) from pending)::int as total
       from page p
       left join creators c on c.id = p.creator_id
       left join products pr on pr.sku = p.sku
       left join lateral (
         select count(*)::int as sent, count(*) filter (where k.posted_at is not null)::int as posted,
           count(*) filter (where k.damaged)::int as damaged
         from sample_kpi_rows k where k.creator_id = p.creator_id and k.sent_at is not null and k.id <> p.id
       ) ch on true
       left join lateral (
         select count(*) filter (where k.with_tracker)::int as with_tracker,
           count(*) filter (where k.with_tracker and k.damaged)::int as damaged
         from sample_kpi_rows k where k.sku = p.sku and k.sent_at is not null
       ) sk on true
       left join lateral (
         select jsonb_agg(jsonb_build_object('carrier', x.carrier, 'withTracker', x.n, 'damaged', x.d) order by x.carrier) as carriers
         from (
           select coalesce(k.carrier, 'unknown') as carrier, count(*)::int as n, count(*) filter (where k.damaged)::int as d
           from sample_kpi_rows k where k.sku = p.sku and k.sent_at is not null and k.with_tracker
           group by 1
         ) x
       ) cr on true
       order by p.created_at, p.id`,
      [f.limit, f.offset],
    );
    return { rows: rows.map(({ total: _t, ...r }) => r), total: rows[0]?.total ?? (await this.count()) };
  }

  private async count(): Promise<number> {
    const { rows } = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from samples
       where status = 'requested' and policy_decision->>'decision' = 'needs_approver'`,
    );
    return rows[0]!.n;
  }
}

-- One row per sample as the KPIs see it (core/domain/sample/kpi.ts, KpiSample). The KPI
-- queries (core/storage/repositories/kpi.repository.ts) read only this view, so the
-- definitions in docs/kpis.md map to it column by column.
create view sample_kpi_rows as
select
  s.id,
  s.creator_id,
  s.creator,
  s.sku,
  coalesce(s.campaign, '') as campaign,
  s.carrier,
  s.packaging,
  s.reship_of,
  s.shipped_at   as sent_at,
  s.received_at  as delivered_at,
  s.published_at as posted_at,
  -- A tracker named on the label, or packed through PUT /api/samples/:id/tracker.
  (s.tracker_id is not null or exists (select 1 from shipment_trackers st where st.sample_id = s.id)) as with_tracker,
  s.damaged_at is not null as damaged,
  s.product_cost_cents,
  s.shipping_cost_cents,
  s.tracker_cost_share_cents,
  coalesce(s.gmv_cents, 0) as gmv_cents
from samples s;

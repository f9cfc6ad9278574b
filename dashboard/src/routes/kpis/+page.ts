import { throwLoadError } from '$lib/api';
import { opsApi, type KpiGroupBy } from '$lib/ops-api';
import { periodFromUrl, intervals } from './period';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, url }) => {
  depends(DEPENDS.kpis);
  const period = periodFromUrl(url);
  const groupBy = (
    ['creator', 'sku', 'campaign', 'carrier'].includes(url.searchParams.get('groupBy') ?? '')
      ? url.searchParams.get('groupBy')
      : 'none'
  ) as KpiGroupBy;
  const iso = (ms: number) => new Date(ms).toISOString();
  // The API answers one period at a time: the series over time is one request per interval.
  const steps = intervals(period.fromMs, period.toMs, period.every);
  const range = { from: iso(period.fromMs), to: iso(period.toMs) };
  const [overall, grouped, series] = await Promise.all([
    opsApi.kpis(fetch, { ...range, groupBy: 'none' }),
    groupBy === 'none' ? Promise.resolve(null) : opsApi.kpis(fetch, { ...range, groupBy }),
    Promise.all(
      steps.map(async (s) => ({
        ...s,
        kpis:
          (await opsApi.kpis(fetch, { from: iso(s.fromMs), to: iso(s.toMs), groupBy: 'none' })).groups[0]?.kpis ?? null,
      })),
    ),
  ]).catch(throwLoadError);
  return {
    period,
    groupBy,
    overall: overall.groups[0]?.kpis ?? null,
    groups: grouped?.groups ?? [],
    series,
    loadedAt: Date.now(),
  };
};

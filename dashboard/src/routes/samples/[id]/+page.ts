import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import { PROBE_BUCKET, chooseBucket, tripSpan } from '$lib/telemetry';
import { DEPENDS, sampleKey } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, params }) => {
  // Invalidated by the live feed when this sample's parcel, exceptions or alerts change,
  // and after every action taken on the page.
  const id = params.id;
  // DEPENDS.sample: the page's own actions; sampleKey(id): the live feed, for this sample's changes.
  depends(DEPENDS.sample, sampleKey(id));
  const loadedAt = Date.now();
  const [sample, timeline, exceptions, alerts, probe, tripFigures] = await Promise.all([
    opsApi.getSample(fetch, id),
    api.getTimeline(fetch, id),
    api.listExceptions(fetch, { sampleId: id, status: ['open', 'acknowledged', 'resolved', 'retracted'] }),
    opsApi.alertsOfSample(fetch, id),
    // Hourly buckets first, to learn how long the trip is…
    opsApi.telemetry(fetch, id, PROBE_BUCKET),
    opsApi.tripFigures(fetch, id),
  ]).catch(throwLoadError);
  // …then buckets sized to it, so a week-long trip is as readable as a 2-hour one.
  const span = tripSpan(probe);
  const bucket = chooseBucket(span ? span.toMs - span.fromMs : 0);
  const [telemetry, product] = await Promise.all([
    span ? opsApi.telemetry(fetch, id, bucket.label) : Promise.resolve([]),
    api.getProduct(fetch, sample.sku),
  ]).catch(throwLoadError);
  return { sample, timeline, exceptions, alerts, telemetry, bucket: bucket.label, product, tripFigures, loadedAt };
};

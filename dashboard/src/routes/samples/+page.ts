import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

/** How many samples the list reads (newest first); the page says when there are more. */
const MAX_SAMPLES = 5000;

export const load: PageLoad = async ({ fetch, depends }) => {
  // Invalidated on every (re)connection of the live feed, on the server's resync, and by
  // the page's refresh.
  depends(DEPENDS.samples);
  const loadedAt = Date.now();
  const [samples, exceptions, me] = await Promise.all([
    opsApi.listSamples(fetch, { max: MAX_SAMPLES }),
    api.listExceptions(fetch, { status: ['open', 'acknowledged'] }),
    api.me(fetch),
  ]).catch(throwLoadError);
  return { samples, exceptions, me, loadedAt, max: MAX_SAMPLES };
};

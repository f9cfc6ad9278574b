import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.creators);
  const loadedAt = Date.now();
  // The list endpoint has no history: it is summed here from the samples.
  const [creators, samples, me] = await Promise.all([
    opsApi.listCreators(fetch),
    opsApi.listSamples(fetch, { max: 5000 }),
    api.me(fetch),
  ]).catch(throwLoadError);
  return { creators, samples, me, loadedAt };
};

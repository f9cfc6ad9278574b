import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, params }) => {
  depends(DEPENDS.creator);
  const [creator, me] = await Promise.all([opsApi.getCreator(fetch, params.id), api.me(fetch)]).catch(throwLoadError);
  const samples = await opsApi.listSamples(fetch, { creator: creator.handle, max: 1000 }).catch(throwLoadError);
  return { creator, samples, me, loadedAt: Date.now() };
};

import { api, throwLoadError } from '$lib/api';
import { campaignApi } from '$lib/campaign-api';
import { DEPENDS } from '$lib/live';
import { programApi } from '$lib/program-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, params }) => {
  depends(DEPENDS.campaigns);
  const [campaign, products, me] = await Promise.all([
    campaignApi.get(fetch, params.id),
    programApi.listProducts(fetch),
    api.me(fetch),
  ]).catch(throwLoadError);
  return { campaign, products, me, loadedAt: Date.now() };
};

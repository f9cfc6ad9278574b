import { api, throwLoadError } from '$lib/api';
import { campaignApi } from '$lib/campaign-api';
import { DEPENDS } from '$lib/live';
import { opsApi } from '$lib/ops-api';
import { programApi } from '$lib/program-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.creators);
  depends(DEPENDS.products);
  depends(DEPENDS.campaigns);
  // The pickers offer every creator and SKU; the server still decides on what is sent.
  const [creators, products, campaigns, me] = await Promise.all([
    opsApi.listCreators(fetch),
    programApi.listProducts(fetch),
    campaignApi.list(fetch),
    api.me(fetch),
  ]).catch(throwLoadError);
  return { creators, products, campaigns, me };
};

import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { opsApi } from '$lib/ops-api';
import { programApi } from '$lib/program-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.creators);
  depends(DEPENDS.products);
  // The pickers offer every creator and SKU; the server still decides on what is sent.
  const [creators, products, me] = await Promise.all([
    opsApi.listCreators(fetch),
    programApi.listProducts(fetch),
    api.me(fetch),
  ]).catch(throwLoadError);
  return { creators, products, me };
};

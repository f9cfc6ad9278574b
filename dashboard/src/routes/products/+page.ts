import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { programApi } from '$lib/program-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.products);
  const [products, me] = await Promise.all([programApi.listProducts(fetch), api.me(fetch)]).catch(throwLoadError);
  return { products, me, loadedAt: Date.now() };
};

import { throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type ApiToken } from '$lib/work-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, parent }) => {
  depends(DEPENDS.admin);
  const { isAdmin } = await parent();
  return { tokens: isAdmin ? await workApi.tokens(fetch).catch(throwLoadError) : ([] as ApiToken[]) };
};

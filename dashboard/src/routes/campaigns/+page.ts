import { api, throwLoadError } from '$lib/api';
import { campaignApi } from '$lib/campaign-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.campaigns);
  // Archived ones too: the filter bar counts and shows them without another request.
  const [campaigns, me] = await Promise.all([campaignApi.list(fetch, { archived: true }), api.me(fetch)]).catch(
    throwLoadError,
  );
  return { campaigns, me, loadedAt: Date.now() };
};

import { api, throwLoadError } from '$lib/api';
import { policyApi } from '$lib/policy-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // Invalidated after a save, so the page shows the version the server holds.
  depends(DEPENDS.policy);
  const [policy, me] = await Promise.all([policyApi.get(fetch), api.me(fetch)]).catch(throwLoadError);
  return { policy, mayEdit: me.role === 'admin' };
};

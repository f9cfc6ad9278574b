import { api, http, throwLoadError } from '$lib/api';
import { messageApi } from '$lib/message-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const campaign = url.searchParams.get('campaign')?.trim() || null;
  const [me, loaded] = await Promise.all([api.me(fetch), messageApi.templates(fetch, campaign)]).catch(throwLoadError);
  // The campaigns for the picker; a platform without the campaign list still edits by id.
  const campaigns = await http
    .get<{ campaigns: { id: string; name: string }[] }>(fetch, '/api/campaigns?limit=500')
    .then((r) => r.campaigns ?? [])
    .catch(() => [] as { id: string; name: string }[]);
  return { me, campaign, campaigns, ...loaded, mayEdit: me.role === 'admin' };
};

import { api, throwLoadError } from '$lib/api';
import { messageApi } from '$lib/message-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const campaign = url.searchParams.get('campaign')?.trim() || null;
  const [me, loaded] = await Promise.all([api.me(fetch), messageApi.templates(fetch, campaign)]).catch(throwLoadError);
  return { me, campaign, ...loaded, mayEdit: me.role === 'admin' };
};

import { throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type WebhookSubscription } from '$lib/work-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, parent }) => {
  depends(DEPENDS.admin);
  const { isAdmin } = await parent();
  return {
    subscriptions: isAdmin ? await workApi.webhooks(fetch).catch(throwLoadError) : ([] as WebhookSubscription[]),
  };
};

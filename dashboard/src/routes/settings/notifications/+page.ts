import { throwLoadError } from '$lib/api';
import { notificationsApi } from '$lib/notifications-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const [channels, subscriptions, notices] = await Promise.all([
    notificationsApi.channels(fetch),
    notificationsApi.subscriptions(fetch),
    notificationsApi.notices(fetch, { limit: 20 }),
  ]).catch(throwLoadError);
  return { channels, subscriptions, notices };
};

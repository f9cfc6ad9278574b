import { api, throwLoadError } from '$lib/api';
import { VIEW_STATUSES, type InboxView } from '$lib/exceptions';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, url }) => {
  // Invalidated on every (re)connection of the live feed and on the server's resync.
  depends('app:exceptions');
  const view: InboxView = url.searchParams.get('view') === 'closed' ? 'closed' : 'open';
  const exceptions = await api.listExceptions(fetch, { status: VIEW_STATUSES[view] }).catch(throwLoadError);
  return { view, exceptions };
};

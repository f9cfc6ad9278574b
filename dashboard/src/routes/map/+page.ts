import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // Reloaded on every (re)connection of the live feed and the server's resync; live rows
  // (parcels, exceptions) are applied in place, so not on DEPENDS.exceptions, which the
  // feed invalidates on every exception change for the inbox.
  depends(DEPENDS.parcels);
  const requestedAt = Date.now();
  const [parcels, exceptions] = await Promise.all([
    api.listParcels(fetch),
    api.listExceptions(fetch, { status: ['open', 'acknowledged'] }),
  ]).catch(throwLoadError);
  return { parcels, exceptions, requestedAt };
};

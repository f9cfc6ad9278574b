import { api, throwLoadError } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // The live feed invalidates these after every (re)connect and on the server's resync.
  depends('app:parcels');
  depends('app:exceptions');
  const requestedAt = Date.now();
  const [parcels, exceptions] = await Promise.all([
    api.listParcels(fetch),
    api.listExceptions(fetch, { status: ['open', 'acknowledged'] }),
  ]).catch(throwLoadError);
  return { parcels, exceptions, requestedAt };
};

import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // The live feed invalidates this after every (re)connect and on the server's resync, to
  // pick up changes it missed.
  depends(DEPENDS.parcels);
  const requestedAt = Date.now();
  const parcels = await api.listParcels(fetch).catch(throwLoadError);
  return { parcels, requestedAt };
};

import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // Invalidated on every (re)connection of the live feed and after provisioning.
  depends('app:fleet');
  const [devices, parcels] = await Promise.all([opsApi.listDevices(fetch), api.listParcels(fetch)]).catch(throwLoadError);
  return { devices, parcels, loadedAt: Date.now() };
};

import { api, throwLoadError } from '$lib/api';
import { opsApi } from '$lib/ops-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  // Invalidated on every (re)connection of the live feed and after provisioning.
  depends(DEPENDS.fleet);
  const [devices, parcels, me] = await Promise.all([
    opsApi.listDevices(fetch),
    api.listParcels(fetch),
    api.me(fetch),
  ]).catch(throwLoadError);
  // PUT /api/devices/:id/config is for these roles (core/domain/auth/roles.ts, OPS).
  return { devices, parcels, mayConfigure: me.role === 'admin' || me.role === 'ops', loadedAt: Date.now() };
};

import { api, throwLoadError } from '$lib/api';
import type { LayoutLoad } from './$types';

// Users, webhooks and the audit log are the admins' (the API refuses anyone else); each page
// loads its data only for an admin, and the layout tells anyone else so.
export const load: LayoutLoad = async ({ fetch }) => {
  const me = await api.me(fetch).catch(throwLoadError);
  return { me, isAdmin: me.role === 'admin' };
};

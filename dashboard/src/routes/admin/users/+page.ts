import { throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type User } from '$lib/work-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends, parent }) => {
  depends(DEPENDS.admin);
  const { isAdmin } = await parent();
  return { users: isAdmin ? await workApi.users(fetch).catch(throwLoadError) : ([] as User[]) };
};

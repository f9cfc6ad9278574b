import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type User } from '$lib/work-api';
import type { PageLoad } from './$types';

export type OwnerFilter = 'all' | 'mine' | 'unassigned';

export const load: PageLoad = async ({ fetch, depends, url }) => {
  depends(DEPENDS.followUps);
  const status = url.searchParams.get('status') === 'done' ? 'done' : 'open';
  const me = await api.me(fetch).catch(throwLoadError);
  // GET /api/users is the admins'; others may only take a task themselves.
  const [tasks, users] = await Promise.all([
    workApi.followUpTasks(fetch, { status, sort: 'due' }),
    me.role === 'admin' ? workApi.users(fetch) : Promise.resolve([] as User[]),
  ]).catch(throwLoadError);
  const owner = (['mine', 'unassigned'] as const).find((o) => o === url.searchParams.get('owner')) ?? 'all';
  return {
    me,
    status,
    owner: owner as OwnerFilter,
    tasks,
    users: users.filter((u) => !u.disabledAt),
    // PATCH /api/follow-up-tasks/:id is open to these roles: a viewer gets the list read-only.
    mayWork: me.role === 'admin' || me.role === 'ops' || me.role === 'fulfillment',
  };
};

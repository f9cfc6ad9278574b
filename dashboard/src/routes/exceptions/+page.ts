import { api, throwLoadError } from '$lib/api';
import { apiFilters, readInboxQuery } from '$lib/exceptions';
import { opsApi } from '$lib/ops-api';
import { DEPENDS } from '$lib/live';
import type { PageLoad } from './$types';

/** Samples (groups) per page, and exceptions shown per group before "Show all". */
const GROUPS_PER_PAGE = 25;
const PER_GROUP = 5;

export const load: PageLoad = async ({ fetch, depends, url }) => {
  // Invalidated on every (re)connection of the live feed, on the server's resync, and after live changes.
  depends(DEPENDS.exceptions);
  const query = readInboxQuery(url.searchParams);
  const [page, me] = await Promise.all([
    opsApi.exceptionGroups(fetch, apiFilters(query), {
      limit: GROUPS_PER_PAGE,
      offset: (query.page - 1) * GROUPS_PER_PAGE,
      perGroup: PER_GROUP,
    }),
    api.me(fetch),
  ]).catch(throwLoadError);
  // The API refuses these roles the actions anyway; the page does not offer them.
  const mayAcknowledge = me.role === 'admin' || me.role === 'ops' || me.role === 'fulfillment';
  const mayResolve = me.role === 'admin' || me.role === 'fulfillment';
  return { query, page, groupsPerPage: GROUPS_PER_PAGE, mayAcknowledge, mayResolve };
};

import { api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type OutboxMessage } from '$lib/work-api';
import type { PageLoad } from './$types';

export type OutboxFilter = 'all' | 'pending' | 'delivered' | 'failed';

export const load: PageLoad = async ({ fetch, depends, url }) => {
  depends(DEPENDS.outbox);
  const me = await api.me(fetch).catch(throwLoadError);
  // GET /api/outbox is the ops' and admins': the others get a page saying so, not an error.
  const allowed = me.role === 'admin' || me.role === 'ops';
  const sampleId = url.searchParams.get('sampleId') ?? undefined;
  const messages: OutboxMessage[] = allowed ? await workApi.outbox(fetch, { sampleId }).catch(throwLoadError) : [];
  const status =
    (['pending', 'delivered', 'failed'] as const).find((s) => s === url.searchParams.get('status')) ?? 'all';
  return { allowed, messages, sampleId, status: status as OutboxFilter };
};

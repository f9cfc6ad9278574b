import { throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { workApi, type AuditEntry } from '$lib/work-api';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;

/** The audit log's filters as the URL keeps them: entity type, entity id, actor and page. */
function readAuditQuery(params: URLSearchParams) {
  const page = Math.max(1, Math.floor(Number(params.get('page') ?? 1)) || 1);
  return {
    type: params.get('type')?.trim() ?? '',
    id: params.get('id')?.trim() ?? '',
    actor: params.get('actor')?.trim() ?? '',
    page,
  };
}

export const load: PageLoad = async ({ fetch, depends, parent, url }) => {
  depends(DEPENDS.admin);
  const { isAdmin } = await parent();
  const q = readAuditQuery(url.searchParams);
  if (!isAdmin) return { q, entries: [] as AuditEntry[], hasNext: false, pageSize: PAGE_SIZE };
  // An id narrows a type (the API's entity=type:id); an id alone is not a filter it knows.
  const entity = q.type ? (q.id ? `${q.type}:${q.id}` : q.type) : undefined;
  // One more than a page: whether there is a next one.
  const entries = await workApi
    .audit(fetch, {
      ...(entity ? { entity } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      limit: PAGE_SIZE + 1,
      offset: (q.page - 1) * PAGE_SIZE,
    })
    .catch(throwLoadError);
  return { q, entries: entries.slice(0, PAGE_SIZE), hasNext: entries.length > PAGE_SIZE, pageSize: PAGE_SIZE };
};

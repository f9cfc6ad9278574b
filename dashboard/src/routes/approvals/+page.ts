import { ApiError, api, throwLoadError } from '$lib/api';
import { DEPENDS } from '$lib/live';
import { programApi, type ApprovalQueue } from '$lib/program-api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends(DEPENDS.approvals);
  const me = await api.me(fetch).catch(throwLoadError);
  // The queue is for those who work samples; a viewer's page says so instead of an error page.
  let queue: ApprovalQueue | null = null;
  let refused: string | null = null;
  try {
    queue = await programApi.approvals(fetch);
  } catch (cause) {
    if (!(cause instanceof ApiError) || cause.status !== 403) throwLoadError(cause);
    refused = cause.message;
  }
  return { me, queue, refused, loadedAt: Date.now() };
};

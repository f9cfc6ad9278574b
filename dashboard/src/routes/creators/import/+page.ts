import { api, throwLoadError } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => ({ me: await api.me(fetch).catch(throwLoadError) });

import type { paths } from './api/schema';
import { http, type Schemas } from './api';

/**
 * The TikTok Shop affiliate connector (issue 13): its settings and health, "poll now",
 * pause and resume. The app secret and access token are write-only: the answers only say
 * whether they are set. Wire types are the generated ones.
 */

type Fetch = typeof fetch;

export type TikTokConnector = Schemas['TikTokConnector'];
export type TikTokPollResult = Schemas['TikTokPollResult'];
export type TikTokSettings = NonNullable<
  paths['/api/integrations/tiktok']['put']['requestBody']
>['content']['application/json'];
export type TikTokStatus = TikTokConnector['status'];

export const TIKTOK_STATUS_LABEL: Record<TikTokStatus, string> = {
  disabled: 'Disabled',
  not_configured: 'Not configured',
  paused: 'Paused',
  failing: 'Failing',
  ok: 'Polling',
  never_polled: 'Enabled, not polled yet',
};

export const tiktokApi = {
  get(fetchFn: Fetch = fetch): Promise<TikTokConnector> {
    return http.get(fetchFn, '/api/integrations/tiktok');
  },
  save(settings: TikTokSettings): Promise<TikTokConnector> {
    return http.put('/api/integrations/tiktok', settings);
  },
  pollNow(): Promise<TikTokPollResult> {
    return http.post('/api/integrations/tiktok/poll', {});
  },
  setPaused(paused: boolean): Promise<TikTokConnector> {
    return http.post(`/api/integrations/tiktok/${paused ? 'pause' : 'resume'}`, {});
  },
};

/** "Map TikTok sku_id to our SKU", one `tiktokSku = ourSku` a line, both ways. */
export function skuMapText(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([from, to]) => `${from} = ${to}`)
    .join('\n');
}

export function parseSkuMap(text: string): { map: Record<string, string> } | { error: string } {
  const map: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(line);
    if (!m) return { error: `line ${i + 1}: write "TikTok sku id = our SKU"` };
    map[m[1]!] = m[2]!;
  }
  return { map };
}

import type { paths } from './api/schema';
import { http, type Schemas } from './api';

/**
 * Campaign records (issue 12): the list, one campaign, and its edits. Bodies and answers
 * are the generated wire types; the server records who made a change.
 */

type Fetch = typeof fetch;
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Campaign = Schemas['Campaign'];
export type CampaignListItem = Schemas['CampaignListItem'];
export type NewCampaign = JsonBody<'/api/campaigns', 'post'>;
export type CampaignPatch = JsonBody<'/api/campaigns/{id}', 'patch'>;
export type Deliverable = Campaign['deliverables'][number];
export type DeliverableKind = Deliverable['kind'];
export type Bucket = Campaign['bucket'];
export type ExtensionRule = Campaign['extensionRule'];

export const BUCKETS: readonly Bucket[] = ['gifting', 'affiliate', 'paid', 'retainer'];
export const DELIVERABLE_KINDS: readonly DeliverableKind[] = ['video', 'live', 'photo', 'story', 'raw_footage'];
export const EXTENSION_RULES: readonly { value: ExtensionRule; label: string }[] = [
  { value: 'none', label: 'No extension' },
  { value: 'on_request', label: "On the creator's request" },
  { value: 'approval', label: "A manager's approval" },
];

// Ids may hold spaces (keys typed before campaigns were records): always encoded in a path.
const enc = encodeURIComponent;

export const campaignApi = {
  async list(fetchFn: Fetch, opts: { archived?: boolean } = {}): Promise<CampaignListItem[]> {
    const q = `limit=1000${opts.archived ? '&archived=true' : ''}`;
    return (await http.get<{ campaigns: CampaignListItem[] }>(fetchFn, `/api/campaigns?${q}`)).campaigns;
  },
  get(fetchFn: Fetch, id: string): Promise<Campaign> {
    return http.get(fetchFn, `/api/campaigns/${enc(id)}`);
  },
  create(body: NewCampaign): Promise<Campaign> {
    return http.post('/api/campaigns', body);
  },
  update(id: string, patch: CampaignPatch): Promise<Campaign> {
    return http.patch(`/api/campaigns/${enc(id)}`, patch);
  },
  setArchived(id: string, archived: boolean): Promise<Campaign> {
    return http.post(`/api/campaigns/${enc(id)}/${archived ? 'archive' : 'unarchive'}`, {});
  },
};

/** The page of a campaign. */
export const campaignHref = (id: string): string => `/campaigns/${enc(id)}`;

const NOUN: Record<DeliverableKind, string> = {
  video: 'video',
  live: 'LIVE',
  photo: 'photo',
  story: 'story',
  raw_footage: 'raw footage',
};
export const kindLabel = (k: DeliverableKind): string => NOUN[k];

/** "1 video (kept up 3+ days)", "1 LIVE (10+ min)". */
export function describeDeliverable(d: Deliverable): string {
  const terms = [
    d.keepUpDays ? `kept up ${d.keepUpDays}+ days` : '',
    d.minMinutes ? `${d.minMinutes}+ min` : '',
    d.note ?? '',
  ].filter(Boolean);
  return `${d.count} ${NOUN[d.kind]}${terms.length ? ` (${terms.join(', ')})` : ''}`;
}

export const describeDeliverables = (ds: readonly Deliverable[]): string =>
  ds.length ? ds.map(describeDeliverable).join(' + ') : '';

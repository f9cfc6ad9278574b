import { http, type Schemas } from './api';

/**
 * Messages to creators (issue 12): the rendered messages of a sample or of the DM queue,
 * and the templates admins edit. Requests go through `$lib/api`; wire types are generated.
 */

type Fetch = typeof fetch;

export type CreatorMessage = Schemas['CreatorMessage'];
export type MessageTemplate = Schemas['MessageTemplate'];
export interface MessageVariable {
  name: string;
  description: string;
}
export interface MessagePreview {
  subject: string;
  text: string;
  unknown: string[];
  sampleId: string | null;
}

const campaignQuery = (campaign: string | null) => (campaign ? `?campaign=${encodeURIComponent(campaign)}` : '');

export const messageApi = {
  async ofSample(fetchFn: Fetch, sampleId: string): Promise<CreatorMessage[]> {
    return (
      await http.get<{ messages: CreatorMessage[] }>(fetchFn, `/api/samples/${encodeURIComponent(sampleId)}/messages`)
    ).messages;
  },
  /** The DMs a person still has to send, oldest first. */
  async queuedDms(fetchFn: Fetch): Promise<CreatorMessage[]> {
    return (
      await http.get<{ messages: CreatorMessage[] }>(
        fetchFn,
        '/api/creator-messages?status=queued&channel=dm&limit=500',
      )
    ).messages;
  },
  /** Sent by the signed-in person: the server records who. */
  markSent(id: number): Promise<CreatorMessage> {
    return http.post(`/api/creator-messages/${id}/sent`, {});
  },
  retry(id: number): Promise<CreatorMessage> {
    return http.post(`/api/creator-messages/${id}/retry`, {});
  },
  templates(
    fetchFn: Fetch,
    campaign: string | null,
  ): Promise<{
    templates: MessageTemplate[];
    variables: MessageVariable[];
    campaigns: { id: string; name: string }[];
  }> {
    return http.get(fetchFn, `/api/message-templates${campaignQuery(campaign)}`);
  },
  saveTemplate(
    campaign: string | null,
    action: string,
    t: { subject: string; body: string },
  ): Promise<MessageTemplate> {
    return http.put(`/api/message-templates/${encodeURIComponent(action)}${campaignQuery(campaign)}`, t);
  },
  resetTemplate(campaign: string | null, action: string): Promise<MessageTemplate> {
    return http.delete(`/api/message-templates/${encodeURIComponent(action)}${campaignQuery(campaign)}`);
  },
  preview(p: {
    action: string;
    campaign?: string;
    subject?: string;
    body?: string;
    sampleId?: string;
  }): Promise<MessagePreview> {
    return http.post('/api/message-templates/preview', p);
  },
};

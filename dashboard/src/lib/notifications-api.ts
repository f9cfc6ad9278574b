import type { paths } from './api/schema';
import { http, type Schemas } from './api';

/**
 * Notifications people choose (issue 13): channels (email, Slack, Teams), subscriptions
 * and the delivery record of each notice. The server decides what a person may see and
 * change (their own; an admin everything) and records who changed it.
 */

type Fetch = typeof fetch;
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type NotificationChannel = Schemas['NotificationChannel'];
export type NotificationSubscription = Schemas['NotificationSubscription'];
export type Notice = Schemas['Notification'];
export type NewChannel = JsonBody<'/api/notifications/channels', 'post'>;
export type SubscriptionInput = JsonBody<'/api/notifications/subscriptions', 'post'>;
export type ChannelKind = NotificationChannel['kind'];

export const CHANNEL_KINDS: readonly { value: ChannelKind; label: string; target: string }[] = [
  { value: 'email', label: 'Email', target: 'Email address' },
  { value: 'slack', label: 'Slack', target: 'Incoming webhook URL' },
  { value: 'teams', label: 'Microsoft Teams', target: 'Incoming webhook or workflow URL' },
];

export const EXCEPTION_TYPES = [
  'too_hot',
  'too_cold',
  'mkt_exceeded',
  'budget_exceeded',
  'too_humid',
  'too_dry',
  'shock',
  'tilted',
  'opened_in_transit',
  'battery_low',
  'no_signal',
] as const;
export const STAGES = ['origin', 'in_transit', 'destination'] as const;

export const notificationsApi = {
  async channels(fetchFn: Fetch): Promise<NotificationChannel[]> {
    return (await http.get<{ channels: NotificationChannel[] }>(fetchFn, '/api/notifications/channels')).channels;
  },
  createChannel(body: NewChannel): Promise<NotificationChannel> {
    return http.post('/api/notifications/channels', body);
  },
  setEnabled(id: number, enabled: boolean): Promise<NotificationChannel> {
    return http.patch(`/api/notifications/channels/${id}`, { enabled });
  },
  removeChannel(id: number): Promise<void> {
    return http.delete(`/api/notifications/channels/${id}`);
  },
  test(id: number): Promise<{ ok: boolean; error: string | null }> {
    return http.post(`/api/notifications/channels/${id}/test`, {});
  },
  async subscriptions(fetchFn: Fetch): Promise<NotificationSubscription[]> {
    return (await http.get<{ subscriptions: NotificationSubscription[] }>(fetchFn, '/api/notifications/subscriptions'))
      .subscriptions;
  },
  subscribe(body: SubscriptionInput): Promise<NotificationSubscription> {
    return http.post('/api/notifications/subscriptions', body);
  },
  updateSubscription(id: number, body: SubscriptionInput): Promise<NotificationSubscription> {
    return http.put(`/api/notifications/subscriptions/${id}`, body);
  },
  unsubscribe(id: number): Promise<void> {
    return http.delete(`/api/notifications/subscriptions/${id}`);
  },
  async notices(fetchFn: Fetch, q: { status?: Notice['status']; limit?: number } = {}): Promise<Notice[]> {
    const params = new URLSearchParams({ limit: String(q.limit ?? 20) });
    if (q.status) params.set('status', q.status);
    return (await http.get<{ notifications: Notice[] }>(fetchFn, `/api/notifications?${params}`)).notifications;
  },
};

/** A comma-separated field as a list (empty: all). */
export const listOf = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

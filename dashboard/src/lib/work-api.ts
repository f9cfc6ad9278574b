import { http, type Schemas } from './api';

/**
 * The work queues' and the admin pages' part of the API: follow-up tasks, the outbox,
 * users, API tokens, webhook subscriptions and the audit log. Requests go through
 * `$lib/api`; wire types are the generated ones, except where the document names none.
 */

type Fetch = typeof fetch;

export type FollowUpTask = Schemas['FollowUpTask'];
export type User = Schemas['User'];
export type PersonRole = User['role'];
export type ApiToken = Schemas['ApiToken'];
export type TokenRole = ApiToken['role'];
export type WebhookSubscription = Schemas['WebhookSubscription'];
export type AuditEntry = Schemas['AuditEntry'];

// Hand-written: these answers are inline schemas with no name in the document's components.
export interface OutboxMessage {
  id: number;
  idempotencyKey: string;
  kind: string;
  recipient: string;
  sampleId: string | null;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
/** POST /api/tokens: the token record and, this once, the token itself. */
export type IssuedToken = ApiToken & { token: string };
/** POST /api/webhook-subscriptions: the subscription and, this once, its signing secret. */
export type IssuedSubscription = WebhookSubscription & { secret: string };

export const PERSON_ROLES: readonly PersonRole[] = ['admin', 'ops', 'fulfillment', 'viewer'];
export const TOKEN_ROLES: readonly TokenRole[] = [...PERSON_ROLES, 'integration'];
export const WEBHOOK_EVENTS = ['opened', 'escalated', 'ended', 'resolved', 'retracted'] as const;
export const WEBHOOK_SEVERITIES = ['info', 'warning', 'critical'] as const;

export type TaskQuery = { status?: 'open' | 'done'; owner?: string; sort?: 'due' | '-due' };

const query = (q: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]])));

export const workApi = {
  async followUpTasks(fetchFn: Fetch, q: TaskQuery): Promise<FollowUpTask[]> {
    return (await http.get<{ tasks: FollowUpTask[] }>(fetchFn, `/api/follow-up-tasks?${query({ ...q, limit: 1000 })}`))
      .tasks;
  },
  /** null unassigns. */
  assignTask(id: number, ownerId: number | null): Promise<FollowUpTask> {
    return http.patch(`/api/follow-up-tasks/${id}`, { ownerId });
  },
  /** Done by the signed-in person: the server records who. */
  completeTask(id: number, note?: string): Promise<FollowUpTask> {
    return http.patch(`/api/follow-up-tasks/${id}`, { done: true, ...(note ? { note } : {}) });
  },

  async outbox(fetchFn: Fetch, q: { status?: string; sampleId?: string }): Promise<OutboxMessage[]> {
    return (await http.get<{ messages: OutboxMessage[] }>(fetchFn, `/api/outbox?${query({ ...q, limit: 1000 })}`))
      .messages;
  },
  retryMessage(id: number): Promise<OutboxMessage> {
    return http.post(`/api/outbox/${id}/retry`, {});
  },

  async users(fetchFn: Fetch): Promise<User[]> {
    return (await http.get<{ users: User[] }>(fetchFn, '/api/users')).users;
  },
  addUser(body: {
    email: string;
    name: string;
    role: PersonRole;
    password: string;
    approvalLimitCents?: number | null;
  }): Promise<User> {
    return http.post('/api/users', body);
  },
  updateUser(
    id: number,
    patch: {
      name?: string;
      role?: PersonRole;
      password?: string;
      disabled?: boolean;
      approvalLimitCents?: number | null;
    },
  ): Promise<User> {
    return http.patch(`/api/users/${id}`, patch);
  },

  async tokens(fetchFn: Fetch): Promise<ApiToken[]> {
    return (await http.get<{ tokens: ApiToken[] }>(fetchFn, '/api/tokens')).tokens;
  },
  createToken(body: { name: string; role: TokenRole; expiresAt?: string }): Promise<IssuedToken> {
    return http.post('/api/tokens', body);
  },
  revokeToken(id: number): Promise<unknown> {
    return http.delete(`/api/tokens/${id}`);
  },

  async webhooks(fetchFn: Fetch): Promise<WebhookSubscription[]> {
    return (await http.get<{ subscriptions: WebhookSubscription[] }>(fetchFn, '/api/webhook-subscriptions'))
      .subscriptions;
  },
  addWebhook(body: {
    url: string;
    eventKinds?: string[];
    minSeverity?: string;
    description?: string;
  }): Promise<IssuedSubscription> {
    return http.post('/api/webhook-subscriptions', body);
  },
  removeWebhook(id: number): Promise<unknown> {
    return http.delete(`/api/webhook-subscriptions/${id}`);
  },

  async audit(
    fetchFn: Fetch,
    q: { entity?: string; actor?: string; limit: number; offset: number },
  ): Promise<AuditEntry[]> {
    return (await http.get<{ entries: AuditEntry[] }>(fetchFn, `/api/audit?${query(q)}`)).entries;
  },
};

/** Cents as the input shows them (dollars), and back; blank is "none" (null). */
export const centsToInput = (cents: number | null): string => (cents === null ? '' : (cents / 100).toFixed(2));
export function inputToCents(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : 'invalid';
}

import { z } from 'zod';

const Severity = z.enum(['info', 'warning', 'critical']);
const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const Names = z.array(z.string().trim().min(1).max(100)).max(50);

export const NotificationChannelSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(['email', 'slack', 'teams']),
    name: z.string(),
    target: z.string().describe('The email address; for a webhook only its host (the URL is a secret)'),
    team: z.string().nullable(),
    ownerUserId: z.number().int().nullable(),
    enabled: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'NotificationChannel' });

export const ChannelCreateSchema = z
  .object({
    kind: z.enum(['email', 'slack', 'teams']),
    name: z.string().trim().min(1).max(100),
    target: z.string().trim().min(3).max(2000).describe('An email address, or the incoming webhook URL'),
    team: z.string().trim().min(1).max(100).nullable().optional().describe('A team channel (admins only)'),
  })
  .strict();

export const ChannelPatchSchema = z
  .object({ name: z.string().trim().min(1).max(100).optional(), enabled: z.boolean().optional() })
  .strict();

export const NotificationSubscriptionSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int().nullable(),
    team: z.string().nullable(),
    channelId: z.number().int(),
    minSeverity: Severity,
    exceptionTypes: z.array(z.string()),
    campaigns: z.array(z.string()),
    stages: z.array(z.string()),
    digest: z.enum(['none', 'hourly', 'daily']),
    quietStart: z.string().nullable(),
    quietEnd: z.string().nullable(),
    tz: z.string(),
    escalationTier: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'NotificationSubscription' });

export const SubscriptionInputSchema = z
  .object({
    channelId: z.number().int().positive(),
    subscriberUserId: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe("Admins only: whose subscription it is (another person's user id); never who acts"),
    team: z.string().trim().min(1).max(100).nullable().optional().describe('Admins only: a team'),
    minSeverity: Severity.optional(),
    exceptionTypes: Names.optional().describe('Empty: every type'),
    campaigns: Names.optional().describe('Empty: every campaign'),
    stages: z
      .array(z.enum(['origin', 'in_transit', 'destination']))
      .optional()
      .describe('Empty: every stage'),
    digest: z.enum(['none', 'hourly', 'daily']).optional(),
    quietStart: Time.nullable().optional(),
    quietEnd: Time.nullable().optional(),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone of the quiet hours and the daily digest'),
    escalationTier: z.number().int().min(1).max(9).optional().describe('1: at once; n: after (n-1) escalation periods'),
  })
  .strict();

export const NotificationSchema = z
  .object({
    id: z.number().int(),
    alertId: z.number().int(),
    exceptionId: z.number().int(),
    subscriptionId: z.number().int(),
    channelId: z.number().int(),
    channelName: z.string(),
    kind: z.enum(['email', 'slack', 'teams']),
    tier: z.number().int(),
    status: z.enum(['queued', 'held', 'sent', 'failed']),
    heldFor: z.enum(['quiet', 'digest']).nullable(),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    title: z.string(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'Notification' });

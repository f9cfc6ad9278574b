import { z } from 'zod';

const isoDate = z.iso.datetime({ offset: true });

/** The connector as the API answers it: settings without secrets (only whether they are set), and its health. */
export const TikTokConnectorSchema = z
  .object({
    enabled: z.boolean(),
    appKey: z.string().nullable(),
    appSecretSet: z.boolean().describe('The app secret is write-only'),
    accessTokenSet: z.boolean().describe('The access token is write-only'),
    shopCipher: z.string().nullable(),
    baseUrl: z.string(),
    defaultCampaign: z.string().describe('The campaign key TikTok requests are filed under'),
    skuMap: z.record(z.string(), z.string()).describe('TikTok sku_id (or product id) → catalogue SKU'),
    writeBack: z.boolean().describe("Our approve/reject decision is sent to TikTok's review endpoint, once"),
    pollIntervalS: z.number().int(),
    status: z.enum(['disabled', 'not_configured', 'paused', 'failing', 'ok', 'never_polled']),
    paused: z.boolean(),
    pausedReason: z.string().nullable().describe('admin, or token_expired'),
    lastSuccessAt: isoDate.nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: isoDate.nullable(),
    backoffUntil: isoDate.nullable().describe('After a rate limit, scheduled polls wait until then'),
    lastPoll: z.record(z.string(), z.unknown()).nullable().describe("The last successful poll's counts"),
    counts: z.object({
      applications: z.number().int(),
      samples: z.number().int(),
      unmapped: z.number().int(),
      posted: z.number().int(),
      decisionsSent: z.number().int(),
    }),
    updatedAt: isoDate,
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'TikTokConnector' });

export const TikTokPollResultSchema = z
  .object({
    outcome: z.enum(['ok', 'rate_limited', 'token_expired', 'error', 'skipped']),
    error: z.string().nullable(),
    pages: z.number().int(),
    applications: z.number().int(),
    created: z.number().int().describe('New sample requests (decided by the approval policy)'),
    known: z.number().int(),
    ignored: z.number().int().describe('Applications TikTok had already settled (not PENDING)'),
    unmapped: z.number().int().describe('Applications that could not become a request (SKU unknown)'),
    shipments: z.number().int(),
    posts: z.number().int(),
    contentUpdated: z.number().int(),
    decisionsSent: z.number().int(),
    rateLimited: z.number().int().describe('Answers of 429 seen (each retried after a doubling wait)'),
  })
  .meta({ id: 'TikTokPollResult' });

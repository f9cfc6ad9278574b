import { z } from 'zod';
import { CampaignIdSchema } from '../campaign/campaign.ts';

const credential = z.string().trim().min(1).max(2000);

/**
 * A change of the connector's settings: fields left out keep their value. The app secret
 * and access token are write-only: a string sets one, null clears it, and no answer ever
 * carries them back.
 */
export const TikTokSettingsInput = z
  .object({
    enabled: z.boolean(),
    appKey: credential.max(200).nullable(),
    appSecret: credential.nullable(),
    accessToken: credential.nullable(),
    shopCipher: credential.max(500).nullable(),
    baseUrl: z.url({ protocol: /^https?$/ }).max(500),
    defaultCampaign: CampaignIdSchema,
    skuMap: z
      .record(z.string().trim().min(1).max(100), z.string().trim().min(1).max(100))
      .refine((m) => Object.keys(m).length <= 1000, { message: 'at most 1,000 SKU mappings' }),
    writeBack: z.boolean(),
    pollIntervalS: z.number().int().min(30).max(86_400),
  })
  .partial()
  .strict();
export type TikTokSettingsInput = z.infer<typeof TikTokSettingsInput>;

/** What the dashboard shows of the connector's health. */
export type TikTokStatus = 'disabled' | 'not_configured' | 'paused' | 'failing' | 'ok' | 'never_polled';

export function connectorStatus(c: {
  enabled: boolean;
  configured: boolean;
  paused: boolean;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
}): TikTokStatus {
  if (!c.enabled) return 'disabled';
  if (!c.configured) return 'not_configured';
  if (c.paused) return 'paused';
  // Failing while the newest result is an error.
  if (c.lastErrorAt && (!c.lastSuccessAt || c.lastErrorAt >= c.lastSuccessAt)) return 'failing';
  return c.lastSuccessAt ? 'ok' : 'never_polled';
}

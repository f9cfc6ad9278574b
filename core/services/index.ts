import type { Pool } from '../storage/database.ts';
import { DeviceService, type DeviceSecretConfig } from './device.service.ts';
import { AlertService, type AlertingConfig } from './alert.service.ts';
import { ExceptionService } from './exception.service.ts';
import { DeadLetterService, ParcelService } from './parcel.service.ts';
import { SampleService } from './sample.service.ts';
import { CarrierEventService } from './carrier-event.service.ts';
import { CreatorService } from './creator.service.ts';
import { ProductService } from './product.service.ts';
import { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { DEFAULT_PROGRAM_CONFIG, type SampleProgramConfig } from './sample-program.config.ts';
import { FollowUpService } from './follow-up.service.ts';
import { LabelService } from './label.service.ts';
import { KpiService } from './kpi.service.ts';
import { SampleImportService } from './sample-import.service.ts';
import { AuditService } from './audit.service.ts';
import { AuthService, type AuthConfig } from './auth.service.ts';
import { UserService } from './user.service.ts';
import { SampleConditionService } from './sample-condition.service.ts';
import { PolicyService } from './policy.service.ts';
import { ClaimService } from './claim.service.ts';
import { ApprovalService } from './approval.service.ts';
import { CreatorImportService } from './creator-import.service.ts';
import { FollowUpTaskService } from './follow-up-task.service.ts';
import { CreatorLinkService, type CreatorLinkConfig } from './creator-link.service.ts';
import { CreatorPageService, type CreatorPageLimits } from './creator-page.service.ts';
import type { PhotoStore } from '../storage/photos/photo-store.ts';
import { FilePhotoStore } from '../storage/photos/file-photo-store.ts';
import { CampaignService } from './campaign.service.ts';
import { MessageService } from './message.service.ts';
import { CarrierIntegrationService } from './carrier-integration.service.ts';
import { TikTokConnectorService } from './tiktok-connector.service.ts';
import { NotificationService } from './notification.service.ts';

/**
 * Builds every service the one way: a deps object (./deps.ts) with the pool, the clock when
 * given, and what the service names besides (configuration, the services it calls).
 */
export function createServices({
  pool,
  now,
  program = DEFAULT_PROGRAM_CONFIG,
  alerting = { publicUrl: 'http://127.0.0.1:3000', escalateAfterMs: 15 * 60_000 },
  auth = { sessionTtlMs: 12 * 3600_000 },
  creatorLinks = { publicUrl: alerting.publicUrl, ttlDays: 90 },
  photos = new FilePhotoStore('./data/photos'),
  creatorPage = { photoMaxBytes: 8 * 1024 * 1024, maxPhotos: 6, requestsPerMinute: 30 },
  brand = 'our team',
  deviceSecrets = {},
}: {
  pool: Pool;
  now?: () => Date;
  program?: SampleProgramConfig;
  alerting?: AlertingConfig;
  auth?: AuthConfig;
  creatorLinks?: CreatorLinkConfig;
  photos?: PhotoStore;
  creatorPage?: CreatorPageLimits;
  /** Who messages to creators are from ({{brand}}): SMTP_FROM's display name. */
  brand?: string;
  deviceSecrets?: DeviceSecretConfig;
}) {
  const base = { pool, ...(now ? { now } : {}) };
  const lifecycle = new SampleLifecycleService({ ...base, program });
  const policy = new PolicyService({ ...base, pinned: program });
  const claims = new ClaimService(base);
  const links = new CreatorLinkService(base, creatorLinks);
  const carrierEvents = new CarrierEventService(base);
  return {
    devices: new DeviceService(base, deviceSecrets),
    samples: new SampleService({ ...base, lifecycle, program }),
    lifecycle,
    creators: new CreatorService({ ...base, policy }),
    creatorImport: new CreatorImportService(base),
    products: new ProductService(base),
    carrierEvents,
    carrierIntegrations: new CarrierIntegrationService({ ...base, carrierEvents, publicUrl: alerting.publicUrl }),
    sampleImport: new SampleImportService({ ...base, lifecycle }),
    followUps: new FollowUpService(base),
    followUpTasks: new FollowUpTaskService(base),
    kpis: new KpiService(base),
    labels: new LabelService({ ...base, publicUrl: alerting.publicUrl }),
    parcels: new ParcelService(base),
    deadLetters: new DeadLetterService(base),
    exceptions: new ExceptionService({ ...base, publicUrl: alerting.publicUrl, lifecycle, claims }),
    claims,
    alerts: new AlertService({ ...base, alerting }),
    auth: new AuthService({ ...base, auth }),
    users: new UserService(base),
    audit: new AuditService(base),
    sampleCondition: new SampleConditionService(base),
    policy,
    approvals: new ApprovalService({ ...base, policy }),
    creatorLinks: links,
    creatorPage: new CreatorPageService(base, { links, lifecycle, policy, photos, limits: creatorPage }),
    campaigns: new CampaignService(base),
    notifications: new NotificationService({ ...base, ...alerting }),
    messages: new MessageService({ ...base, policy, creatorLinks: links, brand, publicUrl: creatorLinks.publicUrl }),
    tiktok: new TikTokConnectorService({ ...base, lifecycle }),
  };
}

export type Services = ReturnType<typeof createServices>;

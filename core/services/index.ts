import type { Pool } from '../storage/database.ts';
import { DeadLetterRepository } from '../storage/repositories/dead-letter.repository.ts';
import { DeviceRepository } from '../storage/repositories/device.repository.ts';
import { ParcelRepository } from '../storage/repositories/parcel.repository.ts';
import { SampleRepository } from '../storage/repositories/sample.repository.ts';
import { TelemetryRepository } from '../storage/repositories/telemetry.repository.ts';
import { DeviceService } from './device.service.ts';
import { AlertService, type AlertingConfig } from './alert.service.ts';
import { ExceptionService } from './exception.service.ts';
import { DeadLetterService, ParcelService } from './parcel.service.ts';
import { SampleService } from './sample.service.ts';
import { CarrierEventService } from './carrier-event.service.ts';
import { CreatorService } from './creator.service.ts';
import { ProductService } from './product.service.ts';
import { SampleLifecycleService } from './sample-lifecycle.service.ts';
import { DEFAULT_PROGRAM_CONFIG, type SampleProgramConfig } from './sample-program.config.ts';
import { FollowUpRepository } from '../storage/repositories/follow-up.repository.ts';
import { KpiRepository } from '../storage/repositories/kpi.repository.ts';
import { OutboxRepository } from '../storage/repositories/outbox.repository.ts';
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

/** Wires every service to its repositories over one pool. */
export function createServices(
  pool: Pool,
  program: SampleProgramConfig = DEFAULT_PROGRAM_CONFIG,
  alerting: AlertingConfig = { publicUrl: 'http://127.0.0.1:3000', escalateAfterMs: 15 * 60_000 },
  auth: AuthConfig = { sessionTtlMs: 12 * 3600_000 },
) {
  const devices = new DeviceRepository(pool);
  const lifecycle = new SampleLifecycleService(pool, program);
  const policy = new PolicyService(pool, program);
  const claims = new ClaimService(pool);
  return {
    devices: new DeviceService(devices, pool),
    samples: new SampleService(
      new SampleRepository(pool),
      devices,
      new TelemetryRepository(pool),
      lifecycle,
      program.trackerCostShareCents,
    ),
    lifecycle,
    creators: new CreatorService(pool, policy),
    products: new ProductService(pool),
    carrierEvents: new CarrierEventService(pool),
    sampleImport: new SampleImportService(pool, lifecycle),
    followUps: new FollowUpService(new FollowUpRepository(pool), new OutboxRepository(pool), pool),
    kpis: new KpiService(new KpiRepository(pool)),
    labels: new LabelService(new SampleRepository(pool), alerting.publicUrl),
    parcels: new ParcelService(new ParcelRepository(pool)),
    deadLetters: new DeadLetterService(new DeadLetterRepository(pool)),
    exceptions: new ExceptionService(pool, alerting.publicUrl, undefined, { lifecycle, claims }),
    claims,
    alerts: new AlertService(pool, alerting),
    auth: new AuthService(pool, auth),
    users: new UserService(pool),
    audit: new AuditService(pool),
    sampleCondition: new SampleConditionService(pool),
    policy,
    approvals: new ApprovalService(pool, policy),
  };
}

export type Services = ReturnType<typeof createServices>;

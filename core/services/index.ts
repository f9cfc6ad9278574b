import type { Pool } from '../storage/database.ts';
import { DeadLetterRepository } from '../storage/repositories/dead-letter.repository.ts';
import { DeviceRepository } from '../storage/repositories/device.repository.ts';
import { ExceptionRepository } from '../storage/repositories/exception.repository.ts';
import { ParcelRepository } from '../storage/repositories/parcel.repository.ts';
import { SampleRepository } from '../storage/repositories/sample.repository.ts';
import { TelemetryRepository } from '../storage/repositories/telemetry.repository.ts';
import { DeviceService } from './device.service.ts';
import { ExceptionService } from './exception.service.ts';
import { DeadLetterService, ParcelService } from './parcel.service.ts';
import { SampleService } from './sample.service.ts';

/** Wires every service to its repositories over one pool. */
export function createServices(pool: Pool) {
  const devices = new DeviceRepository(pool);
  return {
    devices: new DeviceService(devices),
    samples: new SampleService(new SampleRepository(pool), devices, new TelemetryRepository(pool)),
    parcels: new ParcelService(new ParcelRepository(pool)),
    deadLetters: new DeadLetterService(new DeadLetterRepository(pool)),
    exceptions: new ExceptionService(new ExceptionRepository(pool)),
  };
}

export type Services = ReturnType<typeof createServices>;

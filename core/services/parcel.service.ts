import { DeadLetterRepository, type DeadLetterRow } from '../storage/repositories/dead-letter.repository.ts';
import { ParcelRepository, type Parcel } from '../storage/repositories/parcel.repository.ts';
import type { ServiceDeps } from './deps.ts';

export class ParcelService {
  private readonly parcels: ParcelRepository;

  constructor({ pool }: ServiceDeps) {
    this.parcels = new ParcelRepository(pool);
  }

  list(deviceIds?: readonly string[]): Promise<Parcel[]> {
    return this.parcels.list(deviceIds);
  }
}

export class DeadLetterService {
  private readonly deadLetters: DeadLetterRepository;

  constructor({ pool }: ServiceDeps) {
    this.deadLetters = new DeadLetterRepository(pool);
  }

  list(q: { deviceId?: string; limit: number; offset: number }): Promise<DeadLetterRow[]> {
    return this.deadLetters.list(q);
  }
}

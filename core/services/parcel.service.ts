import type { DeadLetterRepository, DeadLetterRow } from '../storage/repositories/dead-letter.repository.ts';
import type { Parcel, ParcelRepository } from '../storage/repositories/parcel.repository.ts';

export class ParcelService {
  constructor(private readonly parcels: ParcelRepository) {}

  list(deviceIds?: readonly string[]): Promise<Parcel[]> {
    return this.parcels.list(deviceIds);
  }
}

export class DeadLetterService {
  constructor(private readonly deadLetters: DeadLetterRepository) {}

  list(q: { deviceId?: string; limit: number; offset: number }): Promise<DeadLetterRow[]> {
    return this.deadLetters.list(q);
  }
}

import type { FollowUpRepository, FollowUpRow } from '../storage/repositories/follow-up.repository.ts';
import type { OutboxRepository, OutboxRow } from '../storage/repositories/outbox.repository.ts';

/** What the follow-up automation did and queued, for people and tests to read. */
export class FollowUpService {
  constructor(
    private readonly followUps: FollowUpRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  ofSample(sampleId: string): Promise<FollowUpRow[]> {
    return this.followUps.ofSample(sampleId);
  }

  messages(filter: { status?: string; sampleId?: string; limit: number; offset: number }): Promise<OutboxRow[]> {
    return this.outbox.list(filter);
  }
}

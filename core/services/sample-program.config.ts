import type { ApprovalPolicy } from '../domain/sample/approval-policy.ts';
import type { FollowUpPolicy } from '../domain/sample/follow-up.ts';
import type { LatLon } from '../domain/geofence.ts';

/**
 * The program's settings fixed at start: the cost model and geofences. The approval and
 * follow-up policies are edited at run time (PolicyService, table program_policy); fields
 * given here are pinned for this process over the stored policy (tests that shrink a window).
 */
export interface SampleProgramConfig {
  approval?: Partial<ApprovalPolicy>;
  followUp?: Partial<FollowUpPolicy>;
  /** One trip's share of a tracker's cost (cents), charged to a tracked sample for cost per post. */
  trackerCostShareCents: number;
  /**
   * Geofences a sample gets when it is labelled or dispatched without explicit ones: the
   * origin warehouse (env ORIGIN_WAREHOUSE) and the creator's address coordinates, with this radius.
   */
  geofences?: { warehouse: LatLon | null; radiusM: number };
}

export const DEFAULT_PROGRAM_CONFIG: SampleProgramConfig = {
  trackerCostShareCents: 300,
};

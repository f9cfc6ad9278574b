import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from '../domain/sample/approval-policy.ts';
import { DEFAULT_FOLLOW_UP_POLICY, type FollowUpPolicy } from '../domain/sample/follow-up.ts';
import type { LatLon } from '../domain/geofence.ts';

/** The program's settings: the approval and follow-up policies and the cost model. */
export interface SampleProgramConfig {
  approval: ApprovalPolicy;
  followUp: FollowUpPolicy;
  /** One trip's share of a tracker's cost (cents), charged to a tracked sample for cost per post. */
  trackerCostShareCents: number;
  /**
   * Geofences a sample gets when it is labelled or dispatched without explicit ones: the
   * origin warehouse (env ORIGIN_WAREHOUSE) and the creator's address coordinates, with this radius.
   */
  geofences?: { warehouse: LatLon | null; radiusM: number };
}

export const DEFAULT_PROGRAM_CONFIG: SampleProgramConfig = {
  approval: DEFAULT_APPROVAL_POLICY,
  followUp: DEFAULT_FOLLOW_UP_POLICY,
  trackerCostShareCents: 300,
};

/**
 * Whether a person's subscription wants a notice about an exception. Empty lists mean
 * "all": a new subscription with only a severity gets everything at or above it.
 */

export type Severity = 'info' | 'warning' | 'critical';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface SubscriptionFilter {
  minSeverity: Severity;
  exceptionTypes: readonly string[];
  campaigns: readonly string[];
  stages: readonly string[];
}

export interface ExceptionFacts {
  severity: Severity;
  type: string;
  campaign: string | null;
  stage: string | null;
}

export function subscriptionWants(sub: SubscriptionFilter, ex: ExceptionFacts): boolean {
  if (RANK[ex.severity] < RANK[sub.minSeverity]) return false;
  if (sub.exceptionTypes.length && !sub.exceptionTypes.includes(ex.type)) return false;
  // A sample outside any campaign is not in a list of campaigns; likewise an unknown stage.
  if (sub.campaigns.length && (ex.campaign === null || !sub.campaigns.includes(ex.campaign))) return false;
  if (sub.stages.length && (ex.stage === null || !sub.stages.includes(ex.stage))) return false;
  return true;
}

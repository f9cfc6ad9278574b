import type { Episode, Severity } from '../core/domain/condition/index.ts';
import type { EventInput } from '../core/services/sample-lifecycle.service.ts';

/** Episode types that mean the product itself was exposed beyond what it tolerates. */
const DAMAGE_TYPES = new Set([
  'too_hot',
  'too_cold',
  'budget_exceeded',
  'mkt_exceeded',
  'too_humid',
  'too_dry',
  'shock',
  'tilted',
]);
const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * What a newly raised episode means for the sample's lifecycle, as tracker evidence:
 * a product-condition excursion at or above the profile's `damageSeverity` (default
 * critical) is transit damage (the damaged branch: content clock paused, reship path
 * open, never held against the creator); a milder one (a warning-level shock on
 * chocolate) stays on the record and in the inbox and moves nothing; the box opened at the
 * creator's address is proof of receipt, with its time and place. Pure: the caller applies
 * the event, and a lifecycle that does not allow it (already delivered, already damaged)
 * simply refuses.
 */
export function lifecycleEvidence(
  e: Episode,
  where: { lat: number | null; lon: number | null },
  deviceId: string,
  damageSeverity: Severity = 'critical',
): EventInput | undefined {
  const actor = { kind: 'tracker' as const, id: deviceId };
  const place = where.lat !== null && where.lon !== null ? ` at ${where.lat.toFixed(5)}, ${where.lon.toFixed(5)}` : '';
  if (DAMAGE_TYPES.has(e.type)) {
    if (RANK[e.severity] < RANK[damageSeverity]) return undefined;
    return {
      type: 'report_damage',
      actor,
      at: new Date(e.start),
      reason: `tracker measured ${e.type.replace('_', ' ')} (peak ${e.peak}, limit ${e.limit})`,
      data: {
        note: `${e.type} from ${new Date(e.start).toISOString()}${place}; exception raised by the tracker`,
        suspectedCause: 'transit',
      },
    };
  }
  if (e.type === 'opened_at_destination') {
    return {
      type: 'deliver',
      actor,
      at: new Date(e.start),
      reason: 'tracker evidence: arrived at the address and the box was opened there',
      data: { receivedAt: e.start, evidence: 'tracker', note: `box opened at the destination${place}` },
    };
  }
  return undefined;
}

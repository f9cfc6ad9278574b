import type { Reading } from '../../protocol/tracker-protocol.ts';
import { compareEpisodes } from './detector.ts';
import { ConditionEngine } from './engine.ts';
import type { ConditionProfile } from './profile.ts';
import { tripReadingsInEventOrder } from './reading-order.ts';
import type { EvaluationContext, TripEvaluation } from './types.ts';

/**
 * The reference semantics: judges a whole trip from scratch. Readings may come in any
 * order and more than once; they are deduplicated by seq and judged in event time, so
 * the result depends only on the set of readings (and `now`, for no-signal).
 */
export function evaluateTrip(
  readings: readonly Reading[],
  profile: ConditionProfile,
  context: EvaluationContext = {},
): TripEvaluation {
  const engine = new ConditionEngine(profile, context);
  for (const reading of tripReadingsInEventOrder(readings)) engine.step(reading);
  // On the clock, the trip is over once now passes its end (readings after it are not judged anyway).
  if (context.now !== undefined && engine.endsAt !== undefined && context.now >= engine.endsAt) engine.finish();
  const episodes = [...engine.closed, ...engine.ongoing(context.now)].sort(compareEpisodes);
  return { episodes, ...engine.summary() };
}

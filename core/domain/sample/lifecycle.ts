import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { EVENTS, EVENT_TYPES, RESHIPPABLE, type EventType, type SampleEvent } from './lifecycle-events.ts';
import {
  REQUEST_SOURCES,
  type Actor,
  type SampleRequest,
  type SampleState,
  type SampleStatus,
  type Transition,
} from './sample-state.ts';

/**
 * The sample lifecycle as an explicit state machine. Pure: the caller loads the state,
 * calls `applyEvent`, and stores `next` and appends `transition` in one database
 * transaction. The history is in application order; `at` is the source's own time.
 */

/** Refused: the event does not leave the current status (or a guard of it refused). */
export class InvalidTransitionError extends DomainError {
  constructor(current: SampleStatus, event: string, allowed: string[], why?: string) {
    const options = allowed.length ? allowed.join(', ') : 'none (final state)';
    super(
      'INVALID_TRANSITION',
      `cannot apply "${event}" to a sample in state "${current}"${why ? `: ${why}` : ''}; allowed events: ${options}`,
      { current, event, allowed },
    );
    this.name = 'InvalidTransitionError';
  }
}

/** Statuses no event leaves. */
export const FINAL_STATUSES: readonly SampleStatus[] = [
  'rejected',
  'cancelled',
  'outcome_recorded',
  'reshipped',
  'written_off',
];

/**
 * Statuses after which the parcel's trip is over for its tracker: the final ones, and a
 * parcel lost or returned (what may still follow, a reship, is another parcel).
 */
export const TRIP_OVER_STATUSES: readonly SampleStatus[] = [...FINAL_STATUSES, 'lost', 'returned_to_sender'];

/** Statuses in which the parcel has left our hands; the first one entered sets `shippedAt`. */
const SHIPPED: readonly SampleStatus[] = ['dispatched', 'in_transit', 'delivery_exception', 'delivered'];

/** The events that may be applied in `status`, in table order. */
export function allowedEvents(status: SampleStatus): EventType[] {
  return EVENT_TYPES.filter((type) => EVENTS[type].from.includes(status));
}

/** The events this record allows now: its status's, less those its record rules out (e.g. delivered twice). */
export function availableEvents(state: SampleState): EventType[] {
  return allowedEvents(state.status).filter((type) => EVENTS[type].precondition(state) === undefined);
}

const text = z.string().trim().min(1);
export const SampleRequestSchema = z.object({
  creatorId: text,
  campaignId: text,
  skuId: text,
  variant: text.optional(),
  quantity: z.number().int().positive().default(1),
  source: z.enum(REQUEST_SOURCES),
  requestedBy: text,
  reshipOf: text.optional(),
}) satisfies z.ZodType<SampleRequest, unknown>;

/** A new sample in `requested`. The id is assigned here and printed on the label. */
export function requestSample(input: {
  id: string;
  at: number;
  actor: Actor;
  request: z.input<typeof SampleRequestSchema>;
}): { state: SampleState; transition: Transition } {
  const parsed = SampleRequestSchema.safeParse(input.request);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new DomainError('VALIDATION_FAILED', `invalid sample request: ${issues.join('; ')}`, { issues });
  }
  const request = parsed.data;
  const state: SampleState = {
    id: input.id,
    request,
    status: 'requested',
    statusSince: input.at,
    firstEnteredAt: { requested: input.at },
    contentClock: { extensionGranted: false, pausedMs: 0 },
    exceptions: [],
  };
  const transition: Transition = {
    sampleId: input.id,
    event: 'request',
    from: null,
    to: 'requested',
    at: input.at,
    actor: input.actor,
    data: { ...request },
  };
  return { state, transition };
}

/**
 * A reship is a new sample linked to the original, with its own approval. The original
 * is not changed here: it closes as `reshipped` (event `reship`) once the reship is
 * approved, so a refused reship leaves the exception open for fulfilment.
 */
export function requestReship(
  original: SampleState,
  input: { id: string; at: number; actor: Actor },
): { state: SampleState; transition: Transition } {
  if (!(RESHIPPABLE as readonly SampleStatus[]).includes(original.status)) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `cannot reship sample ${original.id} in state "${original.status}";` +
        ` only a ${RESHIPPABLE.join(', ')} sample can be reshipped`,
      { current: original.status, event: 'request_reship', allowed: allowedEvents(original.status) },
    );
  }
  const { reshipOf: _previous, ...request } = original.request;
  return requestSample({ ...input, request: { ...request, requestedBy: input.actor.id, reshipOf: original.id } });
}

/** Applies one event, or throws (`InvalidTransitionError`, or `VALIDATION_FAILED` for bad data). */
export function applyEvent(current: SampleState, event: SampleEvent): { next: SampleState; transition: Transition } {
  const spec = EVENTS[event.type];
  const allowed = allowedEvents(current.status);
  if (!spec.from.includes(current.status)) throw new InvalidTransitionError(current.status, event.type, allowed);
  if (!spec.actors.includes(event.actor.kind)) {
    const message = `a ${event.actor.kind} may not "${event.type}"; only: ${spec.actors.join(', ')}`;
    throw new DomainError('VALIDATION_FAILED', message, { event: event.type, actor: event.actor });
  }
  if (!Number.isInteger(event.at) || event.at < 0) {
    throw new DomainError('VALIDATION_FAILED', `"${event.type}" needs a time in epoch milliseconds`, { at: event.at });
  }
  const reason = event.reason?.trim() || undefined;
  if (spec.reasonRequired && !reason) {
    throw new DomainError('VALIDATION_FAILED', `"${event.type}" needs a reason`, { event: event.type });
  }

  const precondition = spec.precondition(current);
  if (precondition) {
    throw new InvalidTransitionError(current.status, event.type, availableEvents(current), precondition);
  }
  if (event.recordedAt !== undefined && (!Number.isInteger(event.recordedAt) || event.recordedAt < 0)) {
    throw new DomainError('VALIDATION_FAILED', `"${event.type}" needs a recording time in epoch milliseconds`, {
      recordedAt: event.recordedAt,
    });
  }
  // Late: older than what the sample already shows. It is appended (placed at its recording
  // time), so the status dates and the content clock never move into the past.
  const late = event.at < current.statusSince;
  const effectiveAt = late ? Math.max(current.statusSince, event.recordedAt ?? current.statusSince) : event.at;

  const folded = spec.fold(current, event.data, {
    at: event.at,
    effectiveAt,
    actor: event.actor,
    ...(reason ? { reason } : {}),
  });
  if (!folded.ok && folded.kind === 'invalid_data') {
    throw new DomainError('VALIDATION_FAILED', `invalid data for "${event.type}": ${folded.issues.join('; ')}`, {
      event: event.type,
      issues: folded.issues,
    });
  }
  if (!folded.ok) {
    const others = allowed.filter((e) => e !== event.type);
    throw new InvalidTransitionError(current.status, event.type, others, folded.message);
  }

  const to = typeof spec.to === 'string' ? spec.to : spec.to.pick(folded.next, current);
  // Staying in a status (a delivery during a damage review) does not re-enter it.
  const stays = to === current.status;
  const next: SampleState = {
    ...folded.next,
    status: to,
    statusSince: stays ? current.statusSince : effectiveAt,
    firstEnteredAt: { [to]: effectiveAt, ...current.firstEnteredAt },
    shippedAt:
      current.shippedAt ?? (SHIPPED.includes(to) || (to === 'damaged' && folded.next.delivery) ? event.at : undefined),
  };
  const transition: Transition = {
    sampleId: current.id,
    event: event.type,
    from: current.status,
    to,
    at: event.at,
    ...(event.recordedAt !== undefined ? { recordedAt: event.recordedAt } : {}),
    ...(late ? { late: true as const } : {}),
    actor: event.actor,
    ...(reason ? { reason } : {}),
    data: folded.data,
  };
  return { next, transition };
}

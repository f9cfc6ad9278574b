/** The pure domain rules of a sample: lifecycle, carrier events, approval, follow-ups, KPIs. */
export * from './sample-state.ts';
export * from './lifecycle-events.ts';
export * from './lifecycle.ts';
export * from './content-clock.ts';
export * from './carrier-event.ts';
export * from './approval-policy.ts';
export * from './follow-up.ts';
export * from './kpi.ts';

import { describe, expect, it } from 'vitest';
import { contentDueAt } from './content-clock.ts';
import { applyEvent } from './lifecycle.ts';
import { DAY, day, exampleEvent, sampleIn, walk } from './testing.ts';

const tiktok = { postingWindowDays: 14, extensionDays: 7 };

describe('content clock', () => {
  it('has no due date before delivery', () => {
    expect(contentDueAt(sampleIn('in_transit'), tiktok)).toBeUndefined();
  });

  it('counts from the actual receipt, not from dispatch or from when we learned of it', () => {
    const delivered = sampleIn('delivered'); // received day 4, recorded day 5, dispatched day 3
    expect(contentDueAt(delivered, tiktok)).toBe(day(4) + 14 * DAY);
  });

  it('adds the one extension once granted', () => {
    const extended = applyEvent(sampleIn('content_due'), exampleEvent('grant_extension', day(10))).next;
    expect(contentDueAt(extended, tiktok)).toBe(day(4) + 21 * DAY);
  });

  it('pauses while damaged and resumes where it stopped', () => {
    const damaged = applyEvent(sampleIn('content_due'), exampleEvent('report_damage', day(6))).next;
    expect(contentDueAt(damaged, tiktok)).toBeUndefined();
    const resolved = walk(damaged, exampleEvent('resolve_damage', day(9, 12)));
    expect(resolved.contentClock).toEqual({ extensionGranted: false, pausedMs: 3.5 * DAY });
    expect(contentDueAt(resolved, tiktok)).toBe(day(4) + 17.5 * DAY);
    // A second damage adds to the paused time.
    const twice = walk(resolved, exampleEvent('report_damage', day(11)), exampleEvent('resolve_damage', day(12)));
    expect(contentDueAt(twice, tiktok)).toBe(day(4) + 18.5 * DAY);
  });
});

import type { Standing } from './ops-api';

/** A creator's standing as it reads on the operating pages. */
export const STANDING: Record<Standing, { label: string; title: string }> = {
  active: { label: 'Active', title: 'In good standing: requests go through the normal policy' },
  watch: { label: 'On watch', title: 'Missed a post: new requests need a named approver' },
  restricted: { label: 'Restricted', title: 'No new sends without a recorded override' },
};

import type { Standing } from './ops-api';
import { term } from './vocabulary';

/** A creator's standing as it reads on the operating pages (from the one vocabulary). */
export const STANDING: Record<Standing, { label: string; title: string }> = Object.fromEntries(
  (['active', 'watch', 'restricted'] as const).map((s) => {
    const { label, title = '' } = term('standing', s);
    return [s, { label, title }];
  }),
) as Record<Standing, { label: string; title: string }>;

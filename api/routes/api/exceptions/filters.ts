import { z } from 'zod';
import type { ExceptionFilter } from '../../../../core/storage/repositories/exception.repository.ts';

/** The inbox's query: filters shared by the flat list and the grouped view. */

/** One value or the parameter repeated (`?severity=critical&severity=warning`). */
const oneOrMany = <T extends z.ZodType<string>>(item: T) =>
  z
    .union([item, z.array(item).max(20)])
    .optional()
    .transform((v) => (v === undefined ? undefined : ([v].flat() as z.output<T>[])));

const Instant = z.iso.datetime({ offset: true }).refine((v) => {
  const y = new Date(v).getUTCFullYear();
  return y >= 1 && y <= 9999;
}, 'a time between the years 1 and 9999');

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "90m", "24h", "7d": a span back from now. */
const Span = z
  .string()
  .regex(/^[1-9]\d{0,4}[mhd]$/, 'a span like 90m, 24h or 7d')
  .transform((v) => Number(v.slice(0, -1)) * UNIT_MS[v.slice(-1) as keyof typeof UNIT_MS]);

export const ExceptionFilters = z.object({
  severity: oneOrMany(z.enum(['info', 'warning', 'critical'])),
  type: oneOrMany(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/)).describe('too_hot, shock, …'),
  stage: oneOrMany(z.enum(['origin', 'in_transit', 'destination'])),
  status: oneOrMany(z.enum(['open', 'acknowledged', 'resolved', 'retracted'])),
  sampleId: z.string().max(40).optional(),
  creator: z.string().trim().min(1).max(200).optional().describe("The creator's handle (any case) or creator id"),
  openedFrom: Instant.optional().describe('Raised by the platform at or after'),
  openedBefore: Instant.optional().describe('Raised by the platform before'),
  startedFrom: Instant.optional().describe('Began (event time) at or after'),
  startedBefore: Instant.optional().describe('Began (event time) before'),
  startedWithin: Span.optional().describe('Began (event time) within this span before now: 90m, 24h, 7d'),
  startedOlderThan: Span.optional().describe('Began (event time) longer ago than this span: 90m, 24h, 7d'),
});

/** Paging of the grouped view: groups per page, and exceptions shown per group. */
export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(25).describe('Groups per page'),
  offset: z.coerce.number().int().min(0).default(0),
  perGroup: z.coerce.number().int().min(1).max(50).default(5).describe('Exceptions carried per group, in inbox order'),
});

/** The parsed query as the repository's filter; spans are resolved against `now` (the server's clock). */
export function filterOf(q: z.output<typeof ExceptionFilters>, now: Date): ExceptionFilter {
  const latest = (a: string | undefined, b: string | undefined) =>
    a === undefined ? b : b === undefined ? a : Date.parse(a) > Date.parse(b) ? a : b;
  const earliest = (a: string | undefined, b: string | undefined) =>
    a === undefined ? b : b === undefined ? a : Date.parse(a) < Date.parse(b) ? a : b;
  const ago = (ms: number | undefined) => (ms === undefined ? undefined : new Date(now.getTime() - ms).toISOString());
  return {
    severity: q.severity,
    type: q.type,
    stage: q.stage,
    status: q.status,
    sampleId: q.sampleId,
    creator: q.creator,
    openedFrom: q.openedFrom,
    openedBefore: q.openedBefore,
    startedFrom: latest(q.startedFrom, ago(q.startedWithin)),
    startedBefore: earliest(q.startedBefore, ago(q.startedOlderThan)),
  };
}

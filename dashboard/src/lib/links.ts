/**
 * Where each kind of id links to, so every sample, creator, tracker and exception id on
 * any page leads to its page. Pure; unit-tested in test/dashboard/links.test.ts.
 */
export type IdKind = 'sample' | 'creator' | 'device' | 'exception';

/** An exception lives on its sample's page; the anchor is its entry there. */
export const exceptionAnchor = (id: number | string): string => `exception-${id}`;

export function hrefOf(kind: IdKind, id: string | number, context: { sampleId?: string | null } = {}): string {
  const part = encodeURIComponent(String(id));
  switch (kind) {
    case 'sample':
      return `/samples/${part}`;
    case 'creator':
      return `/creators/${part}`;
    // No page per tracker: the fleet list opened on it.
    case 'device':
      return `/fleet?q=${part}`;
    case 'exception':
      return context.sampleId
        ? `/samples/${encodeURIComponent(context.sampleId)}#${exceptionAnchor(id)}`
        : `/exceptions?view=closed`;
  }
}

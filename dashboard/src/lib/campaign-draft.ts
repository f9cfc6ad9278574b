import type { Campaign, CampaignPatch, Deliverable, DeliverableKind } from './campaign-api';

/**
 * A campaign as its edit form holds it: numbers as typed (strings), money in dollars, blank
 * for "the program's". `patchOf` turns it back into the fields that changed. Pure.
 */
export interface DeliverableDraft {
  kind: DeliverableKind;
  count: string;
  keepUpDays: string;
  minMinutes: string;
  note: string;
}

export interface CampaignDraft {
  name: string;
  startsOn: string;
  endsOn: string;
  skus: string[];
  briefMd: string;
  guidelinesMd: string;
  deliverables: DeliverableDraft[];
  postingWindowDays: string;
  extensionDays: string;
  extensionRule: Campaign['extensionRule'];
  bucket: Campaign['bucket'];
  organicRepost: boolean;
  paidUsage: boolean;
  whitelisting: boolean;
  rightsDays: string;
  rightsNotes: string;
  /** Auto-approve under this unit cost, in dollars; blank: the program's. */
  autoApproveUnder: string;
  maxSends: string;
  duplicateWindowDays: string;
  /** The approval changes this form does not edit (set through the API): kept as they are. */
  otherApproval: Campaign['approvalPolicy'];
}

const str = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

export const emptyDeliverable = (): DeliverableDraft => ({
  kind: 'video',
  count: '1',
  keepUpDays: '',
  minMinutes: '',
  note: '',
});

const EDITED = ['autoApproveUnitCostUnderCents', 'maxSendsPerCreatorPerPeriod', 'duplicateSkuWindowDays'];

export function draftOf(c: Campaign): CampaignDraft {
  const a = c.approvalPolicy;
  return {
    name: c.name,
    startsOn: c.startsOn ?? '',
    endsOn: c.endsOn ?? '',
    skus: [...c.skus],
    briefMd: c.briefMd,
    guidelinesMd: c.guidelinesMd,
    deliverables: c.deliverables.map((d) => ({
      kind: d.kind,
      count: String(d.count),
      keepUpDays: str(d.keepUpDays),
      minMinutes: str(d.minMinutes),
      note: d.note ?? '',
    })),
    postingWindowDays: str(c.postingWindowDays),
    extensionDays: str(c.extensionDays),
    extensionRule: c.extensionRule,
    bucket: c.bucket,
    organicRepost: c.usageRights.organicRepost,
    paidUsage: c.usageRights.paidUsage,
    whitelisting: c.usageRights.whitelisting,
    rightsDays: str(c.usageRights.durationDays),
    rightsNotes: c.usageRights.notes ?? '',
    autoApproveUnder:
      a.autoApproveUnitCostUnderCents === undefined ? '' : (a.autoApproveUnitCostUnderCents / 100).toFixed(2),
    maxSends: str(a.maxSendsPerCreatorPerPeriod),
    duplicateWindowDays: str(a.duplicateSkuWindowDays),
    otherApproval: Object.fromEntries(Object.entries(a).filter(([k]) => !EDITED.includes(k))),
  };
}

// A number that does not read goes to the server as typed, so it is refused there with the field named.
function num(v: string, scale = 1): number | null {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return (Number.isFinite(n) ? Math.round(n * scale) : t) as number;
}

function deliverableOf(d: DeliverableDraft): Deliverable {
  const keepUpDays = num(d.keepUpDays);
  const minMinutes = num(d.minMinutes);
  return {
    kind: d.kind,
    count: num(d.count) ?? 1,
    ...(keepUpDays !== null ? { keepUpDays } : {}),
    ...(minMinutes !== null ? { minMinutes } : {}),
    ...(d.note.trim() ? { note: d.note.trim() } : {}),
  };
}

/** The draft as the API's fields. */
export function fieldsOf(d: CampaignDraft): Required<CampaignPatch> {
  const approval: Record<string, unknown> = { ...d.otherApproval };
  const auto = num(d.autoApproveUnder, 100);
  const max = num(d.maxSends);
  const dup = num(d.duplicateWindowDays);
  if (auto !== null) approval.autoApproveUnitCostUnderCents = auto;
  if (max !== null) approval.maxSendsPerCreatorPerPeriod = max;
  if (dup !== null) approval.duplicateSkuWindowDays = dup;
  return {
    name: d.name.trim(),
    startsOn: d.startsOn || null,
    endsOn: d.endsOn || null,
    skus: d.skus,
    briefMd: d.briefMd,
    guidelinesMd: d.guidelinesMd,
    deliverables: d.deliverables.map(deliverableOf),
    postingWindowDays: num(d.postingWindowDays),
    extensionDays: num(d.extensionDays),
    extensionRule: d.extensionRule,
    bucket: d.bucket,
    usageRights: {
      organicRepost: d.organicRepost,
      paidUsage: d.paidUsage,
      whitelisting: d.whitelisting,
      durationDays: num(d.rightsDays),
      ...(d.rightsNotes.trim() ? { notes: d.rightsNotes.trim() } : {}),
    },
    approvalPolicy: approval,
  };
}

/** Only the fields the draft changed from `c`. */
export function patchOf(c: Campaign, d: CampaignDraft): CampaignPatch {
  const was = fieldsOf(draftOf(c));
  const now = fieldsOf(d);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(now) as (keyof typeof now)[])
    if (JSON.stringify(now[k]) !== JSON.stringify(was[k])) patch[k] = now[k];
  return patch as CampaignPatch;
}

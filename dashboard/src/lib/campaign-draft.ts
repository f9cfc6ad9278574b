// The wire types written out, not imported from campaign-api.ts: this module stays free of
// imports, so the unit tests (test/dashboard) load it as it is. Schemas['Campaign'] fits.
export type DeliverableKind = 'video' | 'live' | 'photo' | 'story' | 'raw_footage';
export interface Deliverable {
  kind: DeliverableKind;
  count: number;
  keepUpDays?: number;
  minMinutes?: number;
  note?: string;
}
interface ApprovalChanges {
  autoApproveUnitCostUnderCents?: number;
  maxSendsPerCreatorPerPeriod?: number;
  duplicateSkuWindowDays?: number;
  [other: string]: unknown;
}
export interface CampaignLike {
  name: string;
  startsOn: string | null;
  endsOn: string | null;
  skus: string[];
  briefMd: string;
  guidelinesMd: string;
  deliverables: Deliverable[];
  postingWindowDays: number | null;
  extensionDays: number | null;
  extensionRule: 'none' | 'on_request' | 'approval';
  usageRights: {
    organicRepost: boolean;
    paidUsage: boolean;
    whitelisting: boolean;
    durationDays: number | null;
    notes?: string;
  };
  bucket: 'gifting' | 'affiliate' | 'paid' | 'retainer';
  approvalPolicy: ApprovalChanges;
}
/** The fields of a PATCH /api/campaigns/:id. */
export type CampaignFields = Omit<CampaignLike, 'approvalPolicy'> & { approvalPolicy: Record<string, unknown> };

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
  extensionRule: CampaignLike['extensionRule'];
  bucket: CampaignLike['bucket'];
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
  otherApproval: Record<string, unknown>;
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

export function draftOf(c: CampaignLike): CampaignDraft {
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
export function fieldsOf(d: CampaignDraft): CampaignFields {
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
export function patchOf(c: CampaignLike, d: CampaignDraft): Partial<CampaignFields> {
  const was = fieldsOf(draftOf(c));
  const now = fieldsOf(d);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(now) as (keyof CampaignFields)[])
    if (JSON.stringify(now[k]) !== JSON.stringify(was[k])) patch[k] = now[k];
  return patch as Partial<CampaignFields>;
}

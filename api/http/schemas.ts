import { z } from 'zod';
import { DeviceIdSchema } from '../../core/protocol/tracker-protocol.ts';

/** Response and shared schemas of the HTTP API; the OpenAPI document is generated from them. */

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: 'Error' });

const isoDate = z.iso.datetime({ offset: true });

export const DeviceSchema = z
  .object({
    id: DeviceIdSchema,
    label: z.string().nullable(),
    disabledAt: isoDate.nullable(),
    createdAt: isoDate,
    online: z.boolean(),
    fw: z.string().nullable(),
    batteryPct: z.number().nullable(),
    statusAt: isoDate.nullable(),
    config: z
      .object({
        reportIntervalS: z.number().int().optional(),
        shockThresholdG: z.number().optional(),
        lightThresholdLux: z.number().optional(),
      })
      .nullable()
      .describe('The desired config, published retained to trackers/{id}/config; null: none set'),
    configUpdatedAt: isoDate.nullable(),
    configUpdatedBy: z.string().nullable().describe('Audit actor who set it, e.g. user:12'),
    configPublishedAt: isoDate
      .nullable()
      .describe('When the broker took this config; null: not yet (it is republished at every start)'),
  })
  .meta({ id: 'Device' });

export const ProvisionedDeviceSchema = z
  .object({
    id: DeviceIdSchema,
    secret: z.string().describe('The device secret. Shown once; only a salted hash is stored.'),
  })
  .meta({ id: 'ProvisionedDevice' });

export const SampleSchema = z
  .object({
    id: z.string().regex(/^SMP-\d{2}-\d{6,}$/),
    creator: z.string(),
    sku: z.string(),
    campaign: z.string().nullable(),
    status: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
    deviceId: z.string().nullable().describe("The tracker packed in this sample's shipment, if any"),
    creatorId: z.string().nullable(),
    variant: z.string().nullable(),
    quantity: z.number().int(),
    source: z.string().nullable(),
    requestedBy: z.string().nullable(),
    reshipOf: z.string().nullable(),
    reshippedAs: z.string().nullable(),
    policyDecision: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The approval policy's decision: rule, reasons, override"),
    approvedAt: isoDate.nullable(),
    carrier: z.string().nullable(),
    serviceLevel: z.string().nullable(),
    trackingId: z.string().nullable(),
    trackerId: z.string().nullable(),
    packaging: z.string().nullable(),
    shippedAt: isoDate.nullable(),
    dispatchedAt: isoDate.nullable(),
    receivedAt: isoDate.nullable(),
    postUrl: z.string().nullable(),
    publishedAt: isoDate.nullable(),
    usableForAds: z.boolean().nullable(),
    orders: z.number().int().nullable(),
    gmvCents: z.number().int().nullable(),
    classification: z.string().nullable(),
    damagedAt: isoDate.nullable(),
    productCostCents: z.number().int(),
    shippingCostCents: z.number().int(),
    trackerCostShareCents: z.number().int(),
    contentDueAt: isoDate
      .nullable()
      .describe(
        'When content is due (receipt + posting window, + the extension if granted, + time paused for damage) while it is awaited; null before delivery, while damage is under review, and once posted or closed',
      ),
    extensionGranted: z.boolean().describe("The posting window's one extension was granted (moves contentDueAt)"),
  })
  .meta({ id: 'Sample' });

const LatLonSchema = z.object({ lat: z.number(), lon: z.number() });

/** GET /api/samples/:id: the sample with what its trip is judged by. */
export const SampleDetailSchema = SampleSchema.extend({
  condition: z.object({
    source: z
      .enum(['sample', 'product', 'default'])
      .describe("Where the effective profile comes from: the sample's own, its product's, or the defaults"),
    sampleProfile: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The sample's own profile (replaces the product's); null: it follows the product's"),
    effectiveProfile: z
      .record(z.string(), z.unknown())
      .describe('The ConditionProfile the condition rules judge this trip by'),
  }),
  geofences: z.object({
    origin: LatLonSchema.nullable().describe('The origin warehouse'),
    destination: LatLonSchema.nullable().describe(
      "The creator's address (PII: null for roles that do not see addresses)",
    ),
    radiusM: z.number().int(),
    piiRedacted: z.literal(true).optional().describe('The destination is withheld from this role'),
  }),
}).meta({ id: 'SampleDetail' });

export const TripFiguresSchema = z
  .object({
    sampleId: z.string(),
    source: z.enum(['sample', 'product', 'default']).describe('Where the profile judging the trip comes from'),
    trackers: z.array(
      z.object({
        deviceId: z.string(),
        from: isoDate.nullable().describe('Event time of the first reading of the ride'),
        to: isoDate.nullable().describe('Event time of the last reading so far'),
        readings: z.number().int(),
        mkt: z
          .object({
            valueC: z.number().describe('Mean Kinetic Temperature of the trip so far, °C'),
            limitC: z.number().nullable().describe("The profile's MKT limit; null when it sets none"),
            exceeded: z.boolean(),
          })
          .nullable()
          .describe('null until a temperature reading has held for some time, or without a temperature rule'),
        budget: z.object({
          usedMs: z.number().describe('Held time outside the temperature range'),
          allowedMs: z.number().nullable().describe('The stability budget; null when the profile sets none'),
          exceeded: z.boolean(),
        }),
      }),
    ),
  })
  .meta({ id: 'TripFigures' });

export const TransitionSchema = z
  .object({
    id: z.number().int(),
    sampleId: z.string(),
    event: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    actor: z.object({ kind: z.string(), id: z.string() }),
    reason: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    at: isoDate.describe('When it happened, per its source'),
    recordedAt: isoDate.describe('When it was recorded; transitions are listed in this order'),
    late: z
      .boolean()
      .describe('Its event time is older than what the sample already showed: appended after it, not reordered'),
  })
  .meta({ id: 'Transition' });

export const ApprovalDecisionSchema = z
  .object({
    decision: z.enum(['approved', 'rejected', 'needs_approver']),
    rule: z.string(),
    reasons: z.array(z.string()),
    decidedBy: z.string(),
    override: z.object({ by: z.string(), reason: z.string() }).optional(),
  })
  .meta({ id: 'ApprovalDecision' });

export const SampleRequestResultSchema = z
  .object({
    sample: SampleSchema,
    decision: ApprovalDecisionSchema,
    transitions: z.array(TransitionSchema),
  })
  .meta({ id: 'SampleRequestResult' });

export const SampleRequestPreviewSchema = z
  .object({
    decision: ApprovalDecisionSchema,
    approver: z
      .object({
        mayApprove: z.boolean().describe('needs_approver only: whether the signed-in person could approve it'),
        reason: z.string().nullable().describe('Why not (approval limit, own request), when not'),
      })
      .describe('For a decision that needs an approver'),
  })
  .meta({ id: 'SampleRequestPreview' });

const CreatorContactSchema = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  dm: z.string().optional(),
});
const CreatorAddressSchema = z.object({
  name: z.string().optional(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string(),
  country: z.string(),
  lat: z.number().optional(),
  lon: z.number().optional(),
});

export const CreatorSummarySchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    otherHandles: z.array(z.string()),
    displayName: z.string().nullable(),
    contact: CreatorContactSchema.describe('PII: kept on the creator record only'),
    addresses: z.array(CreatorAddressSchema).describe('PII: kept on the creator record only'),
    notes: z.string().nullable(),
    standing: z.enum(['active', 'watch', 'restricted']),
    piiRedacted: z.literal(true).optional().describe('Street, postcode, email and phone withheld from this role'),
    standingReason: z.string().nullable(),
    standingChangedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'CreatorSummary' });

export const SkuHistorySchema = z
  .object({
    sku: z.string(),
    samples: z.number().int(),
    lastRequestedAt: isoDate,
    lastShippedAt: isoDate.nullable(),
    lastStatus: z.string(),
  })
  .meta({ id: 'SkuHistory' });

export const CreatorSchema = CreatorSummarySchema.extend({
  history: z.object({
    samplesRequested: z.number().int(),
    samplesSent: z.number().int(),
    samplesReceived: z.number().int(),
    posted: z.number().int(),
    postedOnTime: z.number().int(),
    noPosts: z.number().int(),
    outcomesKnown: z.number().int().describe('Sends posted or recorded as no post, each once'),
    damagedInTransit: z.number().int(),
    usableForAds: z.number().int().describe('Posts the brand may use in ads'),
    receivedUndamaged: z.number().int().describe('Sends received with no damage recorded'),
    gmvCents: z.number().int(),
    lastContactAt: isoDate
      .nullable()
      .describe(
        'Latest message to the creator sent, or step the creator took through their link; a person confirming for them is not contact',
      ),
  }),
  rollup: z
    .object({
      postsPerSend: z.number().nullable().describe('posted / samplesSent'),
      onTimeRate: z.number().nullable().describe('postedOnTime / outcomesKnown'),
      usableForAdsRate: z.number().nullable().describe('usableForAds / posted'),
      damageFreeRate: z.number().nullable().describe('receivedUndamaged / samplesReceived'),
    })
    .describe('Rates over the history counts, 0–1; null when the base is zero'),
  alreadySampled: z.boolean(),
  skus: z.array(SkuHistorySchema),
}).meta({ id: 'Creator' });

export const ProductSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    variant: z.string().nullable(),
    unitCostCents: z.number().int(),
    limited: z.boolean(),
    inventoryOnHand: z.number().int(),
    conditionProfile: z.record(z.string(), z.unknown()).nullable(),
    needsTracker: z.boolean(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Product' });

export const ParcelSchema = z
  .object({
    deviceId: z.string(),
    sampleId: z.string().nullable(),
    creator: z.string().nullable(),
    sku: z.string().nullable(),
    sampleStatus: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    ts: z.string().nullable().describe('Event time of the latest reading'),
    lastSeenAt: z.string().nullable().describe('When the platform last heard from the tracker'),
    reading: z.record(z.string(), z.unknown()).nullable(),
    online: z.boolean(),
    fw: z.string().nullable(),
    batteryPct: z.number().nullable(),
    openExceptions: z.number().int().describe("Open or acknowledged exceptions of the parcel's sample"),
  })
  .meta({ id: 'Parcel' });

export const TelemetryPointSchema = z
  .object({
    ts: z.string(),
    seq: z.number().int().optional(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    tempC: z.number().nullable(),
    humidityPct: z.number().nullable(),
    shockG: z.number().nullable(),
    tiltDeg: z.number().nullable(),
    lightLux: z.number().nullable(),
    batteryPct: z.number().nullable(),
    count: z.number().int(),
  })
  .meta({ id: 'TelemetryPoint' });

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    deviceId: z.string().nullable(),
    topic: z.string(),
    reason: z.string(),
    detail: z.string(),
    seq: z.number().int().nullable(),
    raw: z.string(),
    rawBytes: z.number().int(),
    receivedAt: z.string(),
  })
  .meta({ id: 'DeadLetter' });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ConditionExceptionSchema = z
  .object({
    id: z.number().int(),
    sampleId: z.string(),
    deviceId: z.string(),
    creator: z.string(),
    sku: z.string(),
    rule: z.string(),
    type: z
      .string()
      .describe(
        'too_hot, too_cold, budget_exceeded, too_humid, too_dry, shock, tilted, opened_in_transit, opened_at_destination, battery_low, no_signal',
      ),
    severity: z.enum(['info', 'warning', 'critical']),
    startedAt: z.string().describe('Event time the condition began'),
    endedAt: z.string().nullable().describe('Event time it ended; null while ongoing'),
    endedBy: z.string().nullable(),
    peak: z.number(),
    limit: z.number(),
    durationMs: z.number(),
    stage: z.string().nullable().describe('origin, in_transit or destination when it started'),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    evidence: z.array(z.number().int()).describe('seqs of the readings that prove it'),
    status: z.enum(['open', 'acknowledged', 'resolved', 'retracted']),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    disposition: z.enum(['accept', 'reship', 'write_off', 'carrier_claim']).nullable(),
    resolutionNote: z.string().nullable(),
    openedAt: z.string(),
    updatedAt: z.string(),
    repeatCount: z
      .number()
      .int()
      .describe('Excursions this incident holds: a rule that flaps within the flap window extends the open incident'),
    lastSeenAt: z.string().nullable().describe('Event time of the latest breaching reading'),
  })
  .meta({ id: 'ConditionException' });

const SeverityCounts = z.object({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() });
const StatusCounts = z.object({
  open: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  retracted: z.number().int(),
});

export const ExceptionCountsSchema = z
  .object({
    total: z.number().int().describe('Exceptions matching the filters over all pages'),
    severity: SeverityCounts,
    status: StatusCounts,
  })
  .meta({ id: 'ExceptionCounts' });

export const ExceptionPageSchema = z
  .object({
    exceptions: z.array(ConditionExceptionSchema),
    total: z.number().int().describe('Exceptions matching the filters over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
    counts: ExceptionCountsSchema,
  })
  .meta({ id: 'ExceptionPage' });

export const ExceptionGroupSchema = z
  .object({
    sampleId: z.string(),
    creator: z.string(),
    sku: z.string(),
    total: z.number().int().describe("The sample's exceptions matching the filters"),
    severity: SeverityCounts,
    status: StatusCounts,
    worstSeverity: z.enum(['info', 'warning', 'critical']),
    newestStartedAt: z.string().describe('Event time the newest of them began'),
    lastSeenAt: z.string().describe('Event time of the latest breaching reading among them'),
    exceptions: z.array(ConditionExceptionSchema).describe('The first ones in inbox order (perGroup at most)'),
  })
  .meta({ id: 'ExceptionGroup' });

export const ExceptionGroupPageSchema = z
  .object({
    groups: z.array(ExceptionGroupSchema),
    total: z.number().int().describe('Samples (groups) matching the filters over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
    counts: ExceptionCountsSchema,
  })
  .meta({ id: 'ExceptionGroupPage' });

export const BulkResultSchema = z
  .object({
    results: z
      .array(
        z.object({
          id: z.number().int(),
          outcome: z.enum(['done', 'refused']),
          code: z.string().optional().describe('Why it was refused: NOT_FOUND, INVALID_TRANSITION…'),
          reason: z.string().optional(),
          current: z
            .enum(['open', 'acknowledged', 'resolved', 'retracted'])
            .optional()
            .describe('Its status when refused for it'),
        }),
      )
      .describe('One per distinct id, in the order given'),
    done: z.number().int(),
    refused: z.number().int(),
  })
  .meta({ id: 'BulkResult' });

export const AlertSchema = z
  .object({
    id: z.number().int(),
    exceptionId: z.number().int(),
    kind: z.enum(['opened', 'escalated', 'ended', 'resolved', 'retracted']),
    severity: z.string(),
    sampleId: z.string(),
    title: z.string(),
    body: z.string().describe('What, how much, how long, where, which sample/creator/SKU, what next'),
    link: z.string(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    readBy: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

export const WebhookSubscriptionSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    eventKinds: z.array(z.string()),
    minSeverity: z.enum(['info', 'warning', 'critical']),
    active: z.boolean(),
    description: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookSubscription' });

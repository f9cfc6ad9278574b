import { randomBytes, randomUUID } from 'node:crypto';
import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import { CARRIER_VENDORS, VENDOR_ADAPTERS, webhookPath, type CarrierVendor } from '../domain/carriers/index.ts';
import type { SignedRequest } from '../domain/carriers/vendor.ts';
import { DomainError } from '../domain/errors.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import {
  CarrierIntegrationRepository,
  type WebhookEventRow,
  type WebhookOutcome,
} from '../storage/repositories/carrier-integration.repository.ts';
import { SampleRepository } from '../storage/repositories/sample.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import type { CarrierEventService } from './carrier-event.service.ts';
import { wallClock, type ServiceDeps } from './deps.ts';

export interface WebhookResult {
  /** `ignored`: signed, but not a tracking update (another event type); nothing kept. */
  outcome: WebhookOutcome | 'ignored';
  /** A resend of an event already kept: nothing changed, the first outcome is repeated. */
  duplicate: boolean;
  eventId: string | null;
  sampleId: string | null;
  reason: string | null;
}

export interface CarrierIntegrationView {
  vendor: CarrierVendor;
  enabled: boolean;
  secretSet: boolean;
  webhookUrl: string;
  updatedAt: Date | null;
  updatedBy: string | null;
  lastEventAt: Date | null;
  counts: Record<WebhookOutcome, number>;
}

export interface TestSendResult {
  url: string;
  httpStatus: number | null;
  result: WebhookResult | null;
  error: string | null;
}

const OUTCOMES: WebhookOutcome[] = ['applied', 'no_op', 'stale', 'unknown_status', 'unknown_tracking'];
/** The status "send a test" uses unless told: in transit, in the vendor's words. */
const TEST_STATUS: Record<CarrierVendor, string> = {
  aftership: 'InTransit',
  easypost: 'in_transit',
  shippo: 'TRANSIT',
};

/**
 * The aggregator webhooks (AfterShip, EasyPost, Shippo): checks the vendor's signature with
 * the secret an admin set, maps the vendor's status onto our carrier events and drives the
 * sample through CarrierEventService, keeping every event under the vendor's event id.
 */
export class CarrierIntegrationService {
  private readonly pool: ServiceDeps['pool'];
  private readonly now: () => Date;
  private readonly carrierEvents: CarrierEventService;
  private readonly publicUrl: string;

  constructor({
    pool,
    now = wallClock,
    carrierEvents,
    publicUrl,
  }: ServiceDeps & { carrierEvents: CarrierEventService; publicUrl: string }) {
    this.pool = pool;
    this.now = now;
    this.carrierEvents = carrierEvents;
    this.publicUrl = publicUrl.replace(/\/+$/, '');
  }

  async receive(vendor: CarrierVendor, req: SignedRequest & { payload: unknown }): Promise<WebhookResult> {
    const integration = await new CarrierIntegrationRepository(this.pool).get(vendor);
    // Unconfigured and disabled look alike from outside: nothing here to call.
    if (!integration?.enabled) {
      throw new DomainError('NOT_FOUND', `the ${vendor} integration is not set up or is disabled`, { vendor });
    }
    const adapter = VENDOR_ADAPTERS[vendor];
    const check = adapter.verify(req, integration.secret, this.now().getTime());
    if (!check.ok) {
      throw new DomainError('UNAUTHENTICATED', `the ${vendor} webhook signature is missing, wrong or expired`, {
        vendor,
        reason: check.reason,
      });
    }
    const parsed = adapter.parse(req.payload);
    if (parsed.kind === 'ignored') {
      return { outcome: 'ignored', duplicate: false, eventId: null, sampleId: null, reason: parsed.reason };
    }
    const e = parsed.event;
    const by = systemActor(`carrier:${vendor}`);
    return withTransaction(this.pool, async (tx) => {
      const inbox = new CarrierIntegrationRepository(tx);
      const sampleId = (await new SampleRepository(tx).idByTrackingId(e.trackingId)) ?? null;
      let outcome: WebhookOutcome;
      let reason: string | null = null;
      if (!sampleId) {
        outcome = 'unknown_tracking';
        reason = `no sample has tracking id ${e.trackingId}`;
      } else if (!e.mapped) {
        outcome = 'unknown_status';
        reason = `${vendor} status "${e.status}" has no mapping onto the sample lifecycle`;
      } else {
        outcome = 'applied'; // settled below, after the event is claimed
      }
      // Claimed first: a resend (or a concurrent duplicate, which waits on the unique index)
      // finds the row and changes nothing.
      const { inserted, row } = await inbox.insertEvent({
        vendor,
        eventId: e.eventId,
        trackingId: e.trackingId,
        vendorStatus: e.status,
        mappedEvent: e.mapped?.event ?? null,
        occurredAt: new Date(e.occurredAt),
        outcome,
        reason,
        sampleId,
        raw: req.payload,
      });
      if (!inserted) return duplicateOf(row);
      if (sampleId && e.mapped) {
        const applied = await this.carrierEvents.applyIn(tx, e.mapped, req.payload, by);
        outcome = !applied ? 'unknown_tracking' : applied.effect === 'transition' ? 'applied' : applied.effect;
        reason = applied?.reason ?? null;
        await inbox.settleEvent(row.id, outcome, reason);
      }
      return { outcome, duplicate: false, eventId: e.eventId, sampleId, reason };
    });
  }

  async list(): Promise<CarrierIntegrationView[]> {
    const repo = new CarrierIntegrationRepository(this.pool);
    const [rows, activity] = await Promise.all([repo.list(), repo.activity()]);
    return CARRIER_VENDORS.map((vendor) => {
      const row = rows.find((r) => r.vendor === vendor);
      const a = activity.find((x) => x.vendor === vendor);
      return {
        vendor,
        enabled: row?.enabled ?? false,
        secretSet: Boolean(row?.secret),
        webhookUrl: this.publicUrl + webhookPath(vendor),
        updatedAt: row?.updatedAt ?? null,
        updatedBy: row?.updatedBy ?? null,
        lastEventAt: a?.lastReceivedAt ?? null,
        counts: Object.fromEntries(OUTCOMES.map((o) => [o, a?.counts[o] ?? 0])) as Record<WebhookOutcome, number>,
      };
    });
  }

  /**
   * Enables or disables a vendor and sets its secret. Without a secret the stored one is
   * kept; when there is none yet a random one is made (EasyPost's webhook_secret and
   * Shippo's URL token are ours to choose). The secret is answered only here, once.
   */
  async update(
    vendor: CarrierVendor,
    input: { enabled: boolean; secret?: string | undefined },
    by: AuditActor,
  ): Promise<CarrierIntegrationView & { secret: string | null }> {
    const secret = await withTransaction(this.pool, async (tx) => {
      const repo = new CarrierIntegrationRepository(tx);
      const existing = await repo.get(vendor);
      const next = input.secret ?? (existing ? null : randomBytes(24).toString('base64url'));
      await repo.upsert(vendor, input.enabled, next, by.actor);
      await new AuditRepository(tx).record(by, {
        action: 'carrier_integration.update',
        entityType: 'carrier_integration',
        entityId: vendor,
        // Never the secret: whether it changed is enough.
        detail: { enabled: input.enabled, was: existing ? existing.enabled : null, secretChanged: next !== null },
      });
      return next;
    });
    const view = (await this.list()).find((v) => v.vendor === vendor)!;
    return { ...view, secret };
  }

  async events(vendor: CarrierVendor, limit: number): Promise<WebhookEventRow[]> {
    return new CarrierIntegrationRepository(this.pool).recentEvents(vendor, limit);
  }

  /**
   * "Send a test": a documented-shape event for `trackingId`, signed with the stored secret
   * as the vendor signs, posted over HTTP to our own webhook at `baseUrl`. It goes through
   * everything a real one does, so it moves the sample like one.
   */
  async sendTest(
    vendor: CarrierVendor,
    input: { trackingId: string; status?: string | undefined },
    baseUrl: string,
  ): Promise<TestSendResult> {
    const integration = await new CarrierIntegrationRepository(this.pool).get(vendor);
    if (!integration) throw new DomainError('NOT_FOUND', `the ${vendor} integration is not set up`, { vendor });
    const adapter = VENDOR_ADAPTERS[vendor];
    const now = this.now().getTime();
    const body = JSON.stringify(
      adapter.example({
        trackingId: input.trackingId,
        status: input.status ?? TEST_STATUS[vendor],
        occurredAt: now,
        eventId: `test-${randomUUID()}`,
      }),
    );
    const signed = adapter.sign(body, integration.secret, now);
    const query = new URLSearchParams(signed.query).toString();
    const url = `${baseUrl.replace(/\/+$/, '')}${webhookPath(vendor)}${query ? `?${query}` : ''}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed.headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await res.json().catch(() => null)) as (WebhookResult & { error?: { message?: string } }) | null;
      const ok = res.ok && answer && 'outcome' in answer;
      return {
        url,
        httpStatus: res.status,
        result: ok ? pickResult(answer) : null,
        error: ok ? null : (answer?.error?.message ?? `HTTP ${res.status}`),
      };
    } catch (err) {
      return { url, httpStatus: null, result: null, error: `could not reach the webhook: ${(err as Error).message}` };
    }
  }
}

function duplicateOf(row: WebhookEventRow): WebhookResult {
  return { outcome: row.outcome, duplicate: true, eventId: row.eventId, sampleId: row.sampleId, reason: row.reason };
}

const pickResult = (r: WebhookResult): WebhookResult => ({
  outcome: r.outcome,
  duplicate: r.duplicate,
  eventId: r.eventId,
  sampleId: r.sampleId,
  reason: r.reason,
});

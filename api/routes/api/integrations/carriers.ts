import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ADMIN, OPS } from '../../../../core/domain/auth/roles.ts';
import { CARRIER_VENDORS, webhookPath, type CarrierVendor } from '../../../../core/domain/carriers/index.ts';
import { route, type RouteSpec } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';
import { auditActor } from '../../../plugins/auth.ts';

const Vendor = z.enum(CARRIER_VENDORS);
const Outcome = z.enum(['applied', 'no_op', 'stale', 'unknown_status', 'unknown_tracking']);

const WebhookResultSchema = z
  .object({
    outcome: z.enum([...Outcome.options, 'ignored']).describe('ignored: signed, but not a tracking update'),
    duplicate: z.boolean().describe('a resend of an event id already kept: nothing changed'),
    eventId: z.string().nullable(),
    sampleId: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'CarrierWebhookResult' });

const IntegrationSchema = z
  .object({
    vendor: Vendor,
    enabled: z.boolean(),
    secretSet: z.boolean(),
    webhookUrl: z.string().describe("PUBLIC_URL + path: paste into the vendor's dashboard"),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
    lastEventAt: z.string().nullable(),
    counts: z.record(Outcome, z.number().int()),
  })
  .meta({ id: 'CarrierIntegration' });

const EventSchema = z
  .object({
    id: z.number().int(),
    vendor: Vendor,
    eventId: z.string(),
    receivedAt: z.string(),
    occurredAt: z.string(),
    trackingId: z.string(),
    vendorStatus: z.string().describe("the vendor's status word, as sent (unknown ones too)"),
    mappedEvent: z.string().nullable(),
    outcome: Outcome,
    reason: z.string().nullable(),
    sampleId: z.string().nullable(),
  })
  .meta({ id: 'CarrierWebhookEvent' });

/** The vendor's JSON, documented loosely: each vendor's own shape (docs/integrations.md). */
const VendorPayload = z.record(z.string(), z.unknown());

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as sent, for the HMAC (only on the carrier webhook routes). */
    rawBody?: Buffer;
  }
}

function webhookSpec(vendor: CarrierVendor, deps: ApiDeps): RouteSpec<z.ZodUndefined, z.ZodType, z.ZodUndefined> {
  return {
    method: 'POST',
    url: webhookPath(vendor),
    tags: ['carrier'],
    // Public: the vendor's signature with the secret an admin set is the authentication.
    access: 'public',
    summary: `${vendor} tracking webhook: signed by ${vendor} (see docs/integrations.md); 401 on a bad signature, 404 when not set up or disabled`,
    query: vendor === 'shippo' ? z.object({ token: z.string().max(500).optional() }) : z.object({}).loose(),
    responses: { 200: WebhookResultSchema },
    errors: ['UNAUTHENTICATED', 'NOT_FOUND'],
    handler: ({ req, query }) =>
      deps.services.carrierIntegrations.receive(vendor, {
        rawBody: req.rawBody ?? Buffer.alloc(0),
        headers: req.headers,
        query: query as Record<string, unknown>,
        payload: req.body,
      }),
  };
}

/** Our own address as this request reached it: "send a test" posts there over HTTP. */
function ownBaseUrl(req: FastifyRequest): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${req.protocol}://${host}:${req.socket.localPort}`;
}

export default function carrierIntegrationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { services, routes } = deps;
  const webhooks = CARRIER_VENDORS.map((v) => webhookSpec(v, deps));
  // The OpenAPI document is built as soon as every route file has run, before plugins load:
  // the webhooks are documented here and declared in their scope below.
  for (const spec of webhooks) routes.push({ ...spec, body: VendorPayload, errors: spec.errors ?? [] });
  void app.register(async (scope) => {
    // Only in this scope: JSON is parsed as usual, and its bytes kept for the signature.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
      const raw = body as Buffer;
      req.rawBody = raw;
      try {
        done(null, JSON.parse(raw.toString('utf8')));
      } catch (err) {
        done(Object.assign(err as Error, { statusCode: 400 }), undefined);
      }
    });
    for (const spec of webhooks) route(scope, [], spec);
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/integrations/carriers',
    tags: ['carrier'],
    access: OPS,
    summary:
      'AfterShip, EasyPost and Shippo: enabled, webhook URL, whether a secret is set, last event, counts by outcome',
    responses: { 200: z.object({ integrations: z.array(IntegrationSchema) }) },
    handler: async () => ({ integrations: await services.carrierIntegrations.list() }),
  });

  route(app, routes, {
    method: 'PUT',
    url: '/api/integrations/carriers/:vendor',
    tags: ['carrier'],
    access: ADMIN,
    summary:
      'Enable or disable a vendor and set the secret it signs with (omitted: kept; none yet: one is generated). The secret is answered this once',
    params: z.object({ vendor: Vendor }),
    body: z.object({ enabled: z.boolean(), secret: z.string().trim().min(8).max(500).optional() }).strict(),
    responses: {
      200: IntegrationSchema.extend({
        secret: z.string().nullable().describe('the secret just set or generated; null when it was kept'),
      }),
    },
    handler: ({ params, body, req }) => services.carrierIntegrations.update(params.vendor, body, auditActor(req)),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/integrations/carriers/:vendor/events',
    tags: ['carrier'],
    access: OPS,
    summary: 'Recent webhook events of a vendor, newest first, with the vendor status and what became of it',
    params: z.object({ vendor: Vendor }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: { 200: z.object({ events: z.array(EventSchema) }) },
    handler: async ({ params, query }) => ({
      events: await services.carrierIntegrations.events(params.vendor, query.limit),
    }),
  });

  route(app, routes, {
    method: 'POST',
    url: '/api/integrations/carriers/:vendor/test',
    tags: ['carrier'],
    access: ADMIN,
    summary:
      'Send a test: a documented-shape event for the tracking id, signed with the stored secret, posted to our own webhook over HTTP; it moves the sample like a real one',
    params: z.object({ vendor: Vendor }),
    body: z
      .object({
        trackingId: z.string().trim().min(1).max(128),
        status: z.string().trim().min(1).max(100).optional().describe('a vendor status word (default: in transit)'),
      })
      .strict(),
    responses: {
      200: z.object({
        url: z.string(),
        httpStatus: z.number().int().nullable(),
        result: WebhookResultSchema.nullable(),
        error: z.string().nullable(),
      }),
    },
    errors: ['NOT_FOUND'],
    handler: ({ params, body, req }) => services.carrierIntegrations.sendTest(params.vendor, body, ownBaseUrl(req)),
  });
}

import { z } from 'zod';
import { isAllRoles, parseRoles } from './roles.ts';

/**
 * The one configuration object. Every part reads its settings from here, parsed once,
 * so a bad variable stops the process at start with its name instead of failing later.
 * `.env.example` documents each variable; keep the two in step.
 */
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);

/**
 * MAP_TILE_URL's two shapes: a raster template with {z}, {x} and {y}, or a MapLibre style
 * document's URL (path ending in .json). Either way http(s) only: the browser fetches it.
 */
export function isMapTileUrl(value: string): boolean {
  if (!/^https?:\/\//.test(value)) return false;
  if (/\{z\}/.test(value) && /\{x\}/.test(value) && /\{y\}/.test(value)) return true;
  try {
    return new URL(value).pathname.endsWith('.json');
  } catch {
    return false;
  }
}
export const EnvSchema = z
  .object({
    /**
     * What this process runs (core/config/roles.ts): `all` (default, everything in one
     * process), or a comma list of `ingest`, `api`, `jobs`. `npm run start -- --role x` sets it.
     */
    ROLES: z
      .string()
      .default('all')
      .transform((text, ctx) => {
        const parsed = parseRoles(text);
        if ('roles' in parsed) return parsed.roles;
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }),
    /** The health listener of a process without the API role (GET /healthz, /readyz, /metrics). */
    HEALTH_HOST: z.string().default('127.0.0.1'),
    HEALTH_PORT: int(9464).pipe(z.number().max(65535)),
    /** How often a standby `jobs` process tries to take a job's leader lock (and a leader checks it), seconds. */
    LEADER_RETRY_S: z.coerce.number().positive().max(300).default(5),
    /** External PostgreSQL/TimescaleDB. Unset: an embedded PostgreSQL under DATA_DIR. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** External MQTT broker for ingest. Unset: the in-process aedes broker. */
    MQTT_URL: z.url({ protocol: /^(mqtt|mqtts|ws|wss|tcp)$/ }).optional(),
    MQTT_USERNAME: z.string().optional(),
    MQTT_PASSWORD: z.string().optional(),
    /** Client id of this ingest worker on the external broker; stable so its session persists. */
    INGEST_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default('ingest-1'),
    /**
     * Shared-subscription group for the one ingest worker on an external MQTT broker. Not a
     * scale-out path: Mosquitto's $share drops what exceeds max_queued_messages and splits a
     * tracker across members (docs/scale-out.md; use AMQP_URL). `none`: a plain subscription.
     */
    INGEST_SHARE_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('ingest')
      .transform((g) => (g === 'none' ? '' : g)),

    /**
     * The partitioned engine's AMQP endpoint (RabbitMQ with its MQTT plugin; docs/scale-out.md),
     * as a service user. Set: ingest consumes its partition queues instead of MQTT_URL, and
     * MQTT_URL names the engine's MQTT listener (trackers and tracker configs).
     */
    AMQP_URL: z.url({ protocol: /^amqps?$/ }).optional(),
    /** Telemetry partitions (queues) on the engine; fixed for a deployment (docs/operations.md). */
    INGEST_PARTITIONS: int(8).pipe(z.number().min(1).max(256)),
    /** This worker's name in the partition lease table. Unset: host name and process id. */
    INGEST_WORKER_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/)
      .optional(),
    /** A worker that stops renewing loses its partitions after this long. */
    INGEST_LEASE_TTL_S: int(10).pipe(z.number().min(2).max(300)),
    /** Unacknowledged deliveries the engine hands this worker, shared by the partitions it holds. */
    INGEST_AMQP_WINDOW: int(2000).pipe(z.number().min(1).max(100_000)),
    /**
     * Shared secret in the path of the engine's HTTP auth hook (/internal/engine-auth/<token>/…,
     * docs/scale-out.md). Unset: the hook is not served.
     */
    ENGINE_AUTH_TOKEN: z.string().min(24).optional(),
    /**
     * Diagnostics: append `worker device seq` for every reading the rules judged to this file,
     * in judging order (the scale-out fault test reads it to show one worker at a time, in order).
     */
    INGEST_TRACE_FILE: z.string().optional(),
    /** The engine's management API (http://user:pass@host:15672): disabling a tracker closes its connection there. */
    ENGINE_MANAGEMENT_URL: z.url({ protocol: /^https?$/ }).optional(),

    HTTP_HOST: z.string().default('127.0.0.1'),
    HTTP_PORT: int(3000).pipe(z.number().max(65535)),
    MQTT_HOST: z.string().default('127.0.0.1'),
    /** Embedded broker TCP port (1883 is left to a system broker; 0 for any port). */
    MQTT_PORT: int(1884).pipe(z.number().max(65535)),
    /** Embedded broker MQTT-over-WebSocket port, path /mqtt. (0 for any port: tests.) */
    MQTT_WS_PORT: int(8884).pipe(z.number().max(65535)),

    /** Embedded broker MQTT-over-TLS port, opened only with TLS_CERT_FILE/TLS_KEY_FILE. */
    MQTTS_PORT: int(8883).pipe(z.number().max(65535)),
    /** PEM certificate (chain) and key: set both and the broker adds MQTTS, HTTP and MQTT-over-WebSocket turn to HTTPS/WSS. */
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),
    /**
     * Hard ceiling on an MQTT packet (remaining length: topic, header and payload) the embedded
     * broker reads; a larger one closes the connection before it is read, to protect memory.
     * A payload between the protocol's 256 KiB and this is read, acknowledged and kept as a
     * dead letter (payload_too_large): refused, a tracker would resend it on every reconnect.
     * At least 256 KiB + 4 KiB, so no packet the protocol allows is ever cut off.
     */
    MQTT_MAX_PACKET_BYTES: int(1024 * 1024).pipe(
      z
        .number()
        .min(256 * 1024 + 4096)
        .max(268_435_455),
    ),
    /** CONNECT attempts per device id per minute (also the burst); 0: no limit. */
    MQTT_CONNECTS_PER_DEVICE_PER_MIN: int(10),
    /** Failed device sign-ins per source IP per minute (also the burst); 0: no limit. */
    MQTT_AUTH_FAILURES_PER_IP_PER_MIN: int(30),
    /**
     * HMAC key of the stored device-secret hashes (at least 32 characters, random); unset: a
     * key the platform makes once and keeps in the database.
     */
    DEVICE_SECRET_KEY: z.string().min(32, 'DEVICE_SECRET_KEY needs at least 32 characters').optional(),
    /** Earlier DEVICE_SECRET_KEYs, comma-separated, still accepted while trackers sign in and their hashes are rewritten. */
    DEVICE_SECRET_KEY_PREVIOUS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().min(32, 'each DEVICE_SECRET_KEY_PREVIOUS key needs at least 32 characters'))),

    DATA_DIR: z.string().default('./data'),
    /** Below 32768, outside Linux's ephemeral range, so a load test's client ports never take it. */
    EMBEDDED_PG_PORT: int(25432).pipe(z.number().max(65535)),

    /** Simulated trackers started with the platform; 0 for none. */
    DEMO_FLEET: int(12),
    /** Seconds between demo readings (real trackers use 300–900 s; the demo runs faster). */
    DEMO_INTERVAL_S: z.coerce.number().positive().default(2),
    /** Days of sample-program history seeded under the demo fleet on a first start (no samples yet); 0 for none. */
    DEMO_HISTORY_DAYS: int(90).pipe(z.number().max(365)),

    /** Ingest flushes when this many readings are buffered… */
    INGEST_BATCH_MAX: int(2000).pipe(z.number().min(1)),
    /** …or this many milliseconds after the first buffered one. */
    INGEST_FLUSH_MS: int(10),
    /**
     * Readings held unacknowledged (received, not yet committed) at most; past it ingest
     * stops reading trackers' connections until half is stored, so memory stays bounded.
     */
    INGEST_MAX_PENDING_READINGS: int(10_000).pipe(z.number().min(1)),
    /** Raw payload bytes kept with a dead letter. */
    DEAD_LETTER_MAX_BYTES: int(16384),

    /** How often the follow-up scheduler looks for due reminders, nudges and downgrades, seconds; 0 turns it off. */
    FOLLOW_UP_INTERVAL_S: int(60),

    /** An unacknowledged critical exception escalates (a second alert) after this many minutes. */
    ALERT_ESCALATE_AFTER_MIN: z.coerce.number().positive().default(15),
    /** First webhook retry after this many ms; doubles per failed attempt up to 10 minutes. */
    WEBHOOK_RETRY_BASE_MS: int(1000).pipe(z.number().min(1)),
    /** Failed attempts after which a webhook delivery is given up (kept as dead). */
    WEBHOOK_MAX_ATTEMPTS: int(25).pipe(z.number().min(1)),
    /** How often the webhook dispatcher looks for due deliveries, ms. */
    WEBHOOK_POLL_MS: int(500).pipe(z.number().min(10)),
    /** Follow-up messages (outbox) are POSTed here, signed; unset: they stay queued (GET /api/outbox). Retries use WEBHOOK_RETRY_BASE_MS and WEBHOOK_POLL_MS. */
    OUTBOX_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** HMAC key of the outbox webhook's X-SampleTrack-Signature; required with OUTBOX_WEBHOOK_URL. */
    OUTBOX_WEBHOOK_SECRET: z.string().min(16, 'OUTBOX_WEBHOOK_SECRET needs at least 16 characters').optional(),
    /** Failed attempts after which an outbox message is given up (status failed). */
    OUTBOX_MAX_ATTEMPTS: int(20).pipe(z.number().min(1)),

    /**
     * Mail to creators (briefs, reminders with their link) goes through this SMTP server:
     * smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. Unset: email
     * messages stay queued (visible on the sample) until it is set.
     */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** The From of mail to creators, e.g. "Glow Samples <samples@brand.example>". */
    SMTP_FROM: z.string().trim().min(3).default('Sampletrack <samples@localhost>'),
    /** Failed attempts (4xx, no connection) after which an email is given up (status failed); a 5xx refusal is `bounced` at once. */
    SMTP_MAX_ATTEMPTS: int(8).pipe(z.number().min(1)),
    /** How often queued emails are looked for, ms. */
    SMTP_POLL_MS: int(1000).pipe(z.number().min(10)),

    /** HMAC key of the creators' links (at least 32 characters); unset: a key the platform makes once and keeps in the database. */
    CREATOR_LINK_KEY: z.string().min(32, 'CREATOR_LINK_KEY needs at least 32 characters').optional(),
    /** A creator link opens for this many days from issue (it must outlast delivery, the posting window and the extension). */
    CREATOR_LINK_TTL_DAYS: int(90).pipe(z.number().min(1).max(730)),
    /** Requests per minute one creator link may make (page views, forms, photos); also per source IP ×5. */
    CREATOR_LINK_REQUESTS_PER_MIN: int(30).pipe(z.number().min(1)),

    /** Largest photo a creator may upload, bytes (images only: JPEG, PNG, WebP, GIF). */
    PHOTO_MAX_BYTES: int(8 * 1024 * 1024).pipe(
      z
        .number()
        .min(1024)
        .max(50 * 1024 * 1024),
    ),
    /**
     * Where photos are kept: unset, under DATA_DIR/photos; or an S3-compatible bucket,
     * s3://bucket/prefix with PHOTO_S3_ENDPOINT, PHOTO_S3_REGION and the key pair.
     */
    PHOTO_STORE_URL: z.url({ protocol: /^s3$/ }).optional(),
    PHOTO_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    PHOTO_S3_REGION: z.string().trim().min(1).default('us-east-1'),
    PHOTO_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    PHOTO_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),

    /**
     * The origin warehouse as "lat,lon" (e.g. 34.02,-118.2): a sample labelled or dispatched
     * without explicit geofences gets it as its origin geofence. Unset: no origin is derived.
     */
    ORIGIN_WAREHOUSE: z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/, 'ORIGIN_WAREHOUSE is "lat,lon", e.g. 34.02,-118.2')
      .transform((v) => {
        const [lat, lon] = v.split(',').map(Number);
        return { lat: lat!, lon: lon! };
      })
      .pipe(z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }))
      .optional(),
    /** Radius of derived geofences (origin warehouse, creator's address), metres. */
    GEOFENCE_RADIUS_M: int(300).pipe(z.number().min(10).max(50_000)),

    /**
     * Street-level map for the dashboard: a raster tile template (https://tiles.example.com/{z}/{x}/{y}.png,
     * drawn over the offline basemap) or a MapLibre style document (https://…/style.json, vector
     * tiles, which replaces it); unset: the offline basemap only. The browser fetches it directly.
     */
    MAP_TILE_URL: z
      .string()
      .trim()
      .refine(isMapTileUrl, 'MAP_TILE_URL is an http(s) {z}/{x}/{y} tile template or a style URL ending in .json')
      .optional(),

    /** The first admin, created at start only while no user exists (never a default password). */
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD needs at least 12 characters').max(200).optional(),
    /** A dashboard session lasts this many hours from sign-in. */
    SESSION_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(12),

    /** Base URL of the dashboard, used for links in alerts (https: session cookies get Secure). */
    PUBLIC_URL: z.url().default('http://127.0.0.1:3000'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `pretty`: one readable line per entry; `json`: one JSON object per line (for log shippers); `auto`: pretty on a terminal. */
    LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
    /** A response that does not match its documented schema: `log` it, refuse it (`strict`, the tests), or `off`. */
    RESPONSE_VALIDATION: z.enum(['off', 'log', 'strict']).default('log'),
  })
  .refine((e) => e.DATABASE_URL !== undefined || isAllRoles(e.ROLES), {
    // An embedded database lives inside one process; the roles' processes share one.
    message:
      'a process of some roles only (ROLES or --role) needs DATABASE_URL, the external database every role shares',
    path: ['DATABASE_URL'],
  })
  .refine((e) => (e.ADMIN_EMAIL === undefined) === (e.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
    path: ['ADMIN_PASSWORD'],
  })
  .refine((e) => (e.TLS_CERT_FILE === undefined) === (e.TLS_KEY_FILE === undefined), {
    message: 'TLS_CERT_FILE and TLS_KEY_FILE go together',
    path: ['TLS_KEY_FILE'],
  })
  .refine((e) => e.OUTBOX_WEBHOOK_URL === undefined || e.OUTBOX_WEBHOOK_SECRET !== undefined, {
    message: 'OUTBOX_WEBHOOK_URL needs OUTBOX_WEBHOOK_SECRET',
    path: ['OUTBOX_WEBHOOK_SECRET'],
  })
  .refine(
    (e) =>
      e.PHOTO_STORE_URL === undefined ||
      (e.PHOTO_S3_ENDPOINT !== undefined &&
        e.PHOTO_S3_ACCESS_KEY_ID !== undefined &&
        e.PHOTO_S3_SECRET_ACCESS_KEY !== undefined),
    {
      message: 'PHOTO_STORE_URL needs PHOTO_S3_ENDPOINT, PHOTO_S3_ACCESS_KEY_ID and PHOTO_S3_SECRET_ACCESS_KEY',
      path: ['PHOTO_STORE_URL'],
    },
  );

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError naming every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty string means "unset" in .env files and shells alike.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}

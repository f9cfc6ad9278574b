import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { DEFAULT_THRESHOLDS, type ConditionModel, type Thresholds } from './condition-model.ts';
import { buildMalformed, type MalformedKind, type MalformedMessage } from './malformed.ts';
import {
  deviceClientOptions,
  endClient,
  firstConnect,
  OFFLINE_STATUS,
  onlineStatus,
  publishQos1,
} from './mqtt-device.ts';
import type { ParcelProfile, ProfileName } from './profiles.ts';
import { configTopic, statusTopic, telemetryTopic, type SimReading, type TrackerConfig } from './protocol.ts';
import { ReadingGenerator, type TsFormat } from './reading-generator.ts';
import { planRoute, type Route } from './routes.ts';
import { Uplink, type Outgoing, type UplinkBehaviours } from './uplink.ts';

export interface SimTrackerBehaviours extends UplinkBehaviours {
  /** Send an extra reading at once on a shock over the threshold or the box opening. Default true. */
  eventReadings?: boolean;
  /** Default 'rfc3339'. */
  tsFormat?: TsFormat;
}

export interface SimTrackerOptions {
  url: string;
  id: string;
  secret: string;
  seed: number;
  /** Report interval, seconds, until the platform's config says otherwise. */
  intervalS: number;
  /** Default: planRoute({ seed }). */
  route?: Route;
  /** Default 'cold-chain'. */
  profile?: ProfileName | ParcelProfile;
  behaviours?: SimTrackerBehaviours;
  /**
   * Epoch ms when packing began; the first reading is measured then. Default: now.
   * In fast mode ts runs ahead from here, and the platform rejects ts more than 24 h in
   * the future: for long fast runs start in the past (e.g. now - n × intervalS).
   */
  startAt?: number;
  /** Movement along the route runs this many times faster than ts (live demos). Default 1. */
  timeScale?: number;
  /** seq of the first reading. Default 0. */
  firstSeq?: number;
  /** Parcels put down upright every time (see ConditionModelOptions.upright). */
  upright?: boolean;
  /** Event-time windows in which the tracker measures nothing (see ReadingGeneratorOptions.offline). */
  offline?: readonly { fromMs: number; toMs: number }[];
  /** Extra mqtt.js options (TLS, reconnectPeriod, …); the protocol's identity options win. */
  mqttOptions?: Partial<IClientOptions>;
  /** Publish failures, bad config messages, refused subscriptions. Default: counted only. */
  onError?: (err: Error) => void;
}

export interface TrackerStats {
  /** Readings measured (regular and event readings). */
  generated: number;
  /** Readings handed to MQTT; every copy of a duplicate counts. */
  published: number;
  /** Of those, readings whose message got its PUBACK. published - acked = lost or in flight. */
  acked: number;
  /** Copies beyond the first, included in published. */
  duplicates: number;
  /** Readings waiting for coverage. */
  buffered: number;
  messagesPublished: number;
  messagesAcked: number;
  /** Malformed messages published (not counted above). */
  malformed: number;
  errors: number;
  nextSeq: number;
}

type Clock = 'idle' | 'real-time' | 'fast';

/** Thresholds that never trip, for eventReadings: false. */
const NO_ALARMS: Thresholds = { shockThresholdG: Infinity, lightThresholdLux: Infinity };

/**
 * One simulated cellular tracker in a parcel, speaking the tracker protocol over MQTT.
 * Two clocks: start() reports in real time every interval; advance(n) produces n interval
 * readings at once with simulated ts (tests, benchmarks). Use one or the other.
 */
export class SimTracker {
  readonly id: string;
  readonly route: Route;
  private readonly gen: ReadingGenerator;
  private readonly uplink: Uplink;
  private client: MqttClient | undefined;
  private announced: Promise<void> = Promise.resolve();
  private cfg: Required<TrackerConfig>;
  private clock: Clock = 'idle';
  private timer: NodeJS.Timeout | undefined;
  /** ts of the latest reading of any kind. */
  private lastReadingMs: number | undefined;
  /** Fast mode: ts of the next regular reading. */
  private nextTickMs: number;
  private badRangeTurn = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly counts = {
    generated: 0,
    published: 0,
    acked: 0,
    duplicates: 0,
    messagesPublished: 0,
    messagesAcked: 0,
    malformed: 0,
    errors: 0,
  };

  constructor(private readonly o: SimTrackerOptions) {
    this.id = o.id;
    this.route = o.route ?? planRoute({ seed: o.seed });
    const startAtMs = o.startAt ?? Date.now();
    this.nextTickMs = startAtMs;
    this.gen = new ReadingGenerator({
      seed: o.seed,
      route: this.route,
      profile: o.profile,
      startAtMs,
      timeScale: o.timeScale,
      firstSeq: o.firstSeq,
      tsFormat: o.behaviours?.tsFormat,
      upright: o.upright,
      offline: o.offline,
    });
    this.uplink = new Uplink(o.seed, o.behaviours);
    this.cfg = { reportIntervalS: o.intervalS, ...DEFAULT_THRESHOLDS };
  }

  /** The configuration in force (initial options, then what trackers/{id}/config said). */
  get config(): Readonly<Required<TrackerConfig>> {
    return this.cfg;
  }

  get inCoverage(): boolean {
    return this.uplink.inCoverage;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects; resolves once online status is published and the config subscription granted. */
  async connect(): Promise<void> {
    if (this.client) return;
    const client = connect(this.o.url, deviceClientOptions(this.o.id, this.o.secret, this.o.mqttOptions));
    this.client = client;
    // Every (re)connect announces itself again: the broker may have published our will meanwhile.
    client.on('connect', () => {
      this.announced = this.announce(client);
      this.announced.catch((err: unknown) => this.reportError(err));
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) => this.reportError(err));
    try {
      await firstConnect(client);
    } catch (err) {
      client.end(true);
      this.client = undefined;
      throw err;
    }
    await this.announced;
  }

  /** Real-time clock: a reading now (or after initialDelayMs), then every reportIntervalS. */
  async start(opts: { initialDelayMs?: number } = {}): Promise<void> {
    this.useClock('real-time');
    await this.connect();
    this.schedule(opts.initialDelayMs ?? 0);
  }

  /**
   * Fast clock: n report intervals at once, ts stepping reportIntervalS from startAt.
   * Resolves when every message has been PUBACKed (or failed; see stats()), with the
   * readings measured (including event readings, buffered ones, not malformed ones).
   */
  async advance(n: number): Promise<SimReading[]> {
    this.useClock('fast');
    const client = this.requireClient();
    const measured: SimReading[] = [];
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const at = this.nextTickMs;
      this.nextTickMs = at + this.cfg.reportIntervalS * 1000;
      const { readings, outgoing } = this.interval(at);
      measured.push(...readings);
      sends.push(this.dispatch(client, outgoing));
    }
    await Promise.all(sends);
    return measured;
  }

  /**
   * Fast clock: measures n report intervals without sending them, as if they had gone out
   * before (a restart resuming a trip: the same seed gives the same readings and seqs, so
   * the tracker picks up where the stored readings end).
   */
  skip(n: number): void {
    this.useClock('fast');
    for (let i = 0; i < n; i++) {
      const at = this.nextTickMs;
      this.nextTickMs = at + this.cfg.reportIntervalS * 1000;
      const thresholds = this.o.behaviours?.eventReadings === false ? NO_ALARMS : this.cfg;
      this.gen.readingsUpTo(this.lastReadingMs, at, thresholds, true);
      this.lastReadingMs = at;
    }
  }

  /** ts of the next regular reading on the fast clock. */
  get nextReadingAt(): number {
    return this.nextTickMs;
  }

  /** The parcel's physics, to plan incidents at exact event times (before the trip starts). */
  get model(): ConditionModel {
    return this.gen.model;
  }

  /** Out of coverage until endGap(): readings are buffered. */
  startGap(): void {
    this.uplink.startGap();
  }

  /** Back in coverage: uploads the backlog as batches, oldest first; resolves when acked. */
  async endGap(): Promise<void> {
    await this.track(this.dispatch(this.requireClient(), this.uplink.endGap()));
  }

  /** From now on the inside heats to peakC (within minutes), holds durationMin, then recovers. */
  heatExcursion(opts: { peakC: number; durationMin: number }): void {
    this.gen.model.heatExcursion(this.eventTime(false), opts.peakC, opts.durationMin);
  }

  /** The parcel is dropped now: an event reading with shockG = g goes out at once. */
  async drop(opts: { g: number }): Promise<SimReading> {
    const at = this.eventTime(true);
    this.gen.model.addShock(at, opts.g);
    return this.eventReading(at);
  }

  /** The box is opened now: light inside, and an event reading at once. */
  async openBox(): Promise<SimReading> {
    const at = this.eventTime(true);
    this.gen.model.openBox(at);
    return this.eventReading(at);
  }

  /** Publishes one message that breaks the protocol in the given way (regardless of coverage). */
  async publishMalformed(kind: MalformedKind): Promise<MalformedMessage> {
    const client = this.requireClient();
    const at = this.eventTime(true);
    const inCoverage = this.uplink.inCoverage;
    const message = buildMalformed(kind, {
      measure: () => this.gen.measure(at, inCoverage),
      measureWithoutSeq: () => this.gen.measureWithoutSeq(at, inCoverage),
      nowMs: at,
      wallClockMs: Date.now(),
      badRangeTurn: this.badRangeTurn++,
    });
    this.counts.malformed++;
    this.counts.messagesPublished++;
    await this.track(
      publishQos1(client, telemetryTopic(this.id), message.payload).then(
        () => void this.counts.messagesAcked++,
        (err: unknown) => this.reportError(err),
      ),
    );
    return message;
  }

  stats(): TrackerStats {
    return { ...this.counts, buffered: this.uplink.buffered, nextSeq: this.gen.seq };
  }

  /**
   * Stops reporting, uploads the backlog (unless flushBacklog is false: then those seqs
   * are never sent), publishes the retained offline status and disconnects cleanly.
   */
  async stop(opts: { timeoutMs?: number; flushBacklog?: boolean } = {}): Promise<void> {
    const { timeoutMs = 5000, flushBacklog = true } = opts;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    if (!client) return;
    if (flushBacklog && client.connected && this.uplink.buffered > 0) {
      await withTimeout(this.dispatch(client, this.uplink.endGap()), timeoutMs).catch((err: unknown) =>
        this.reportError(err),
      );
    }
    await Promise.allSettled([...this.pending]);
    if (client.connected) {
      await withTimeout(publishQos1(client, statusTopic(this.id), OFFLINE_STATUS, true), timeoutMs).catch(
        (err: unknown) => this.reportError(err),
      );
    }
    await endClient(client, timeoutMs);
    this.client = undefined;
  }

  /** Drops the connection without DISCONNECT, as a dead battery would: the broker publishes the last will. */
  crash(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client?.end(true);
    this.client = undefined;
  }

  /** Measures one report interval ending at atMs and decides what goes out. */
  private interval(atMs: number): { readings: SimReading[]; outgoing: Outgoing[] } {
    const backlog = this.uplink.tick();
    const thresholds = this.o.behaviours?.eventReadings === false ? NO_ALARMS : this.cfg;
    const readings = this.gen.readingsUpTo(this.lastReadingMs, atMs, thresholds, this.uplink.inCoverage);
    this.lastReadingMs = atMs;
    this.counts.generated += readings.length;
    return { readings, outgoing: [...backlog, ...this.uplink.submit(readings)] };
  }

  private async eventReading(atMs: number): Promise<SimReading> {
    const reading = this.gen.measure(atMs, this.uplink.inCoverage);
    this.counts.generated++;
    const client = this.requireClient();
    await this.track(this.dispatch(client, this.uplink.submit([reading])));
    return reading;
  }

  /**
   * When a hook's event happens. Real time: now. Fast time: just after the latest reading
   * and before the next regular one, so ts order matches seq order.
   */
  private eventTime(advances: boolean): number {
    let at: number;
    if (this.clock === 'real-time') at = Date.now();
    else if (this.lastReadingMs === undefined) at = this.nextTickMs;
    else at = Math.max(this.lastReadingMs, Math.min(this.lastReadingMs + 1000, this.nextTickMs - 1));
    if (advances) this.lastReadingMs = at;
    return at;
  }

  /** Publishes in order, at once; resolves when all are acked or failed (never rejects). */
  private dispatch(client: MqttClient, outgoing: readonly Outgoing[]): Promise<unknown> {
    return Promise.all(
      outgoing.map((m) => {
        this.counts.messagesPublished++;
        this.counts.published += m.count;
        this.counts.duplicates += m.resent;
        return publishQos1(client, telemetryTopic(this.id), JSON.stringify(m.body)).then(
          () => {
            this.counts.messagesAcked++;
            this.counts.acked += m.count;
          },
          (err: unknown) => this.reportError(err),
        );
      }),
    );
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const at = Date.now();
      const { outgoing } = this.interval(at);
      if (this.client) void this.track(this.dispatch(this.client, outgoing));
      this.schedule(this.cfg.reportIntervalS * 1000);
    }, delayMs);
  }

  private async announce(client: MqttClient): Promise<void> {
    const grants = await client.subscribeAsync(configTopic(this.id), { qos: 1 });
    if (grants.some((g) => g.qos === 128))
      this.reportError(new Error(`broker refused subscription to ${configTopic(this.id)}`));
    await publishQos1(client, statusTopic(this.id), onlineStatus(this.gen.model.batteryPct), true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic !== configTopic(this.id)) return;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.reportError(new Error(`config for ${this.id} is not JSON`));
      return;
    }
    if (typeof body !== 'object' || body === null) return;
    const c = body as Record<string, unknown>;
    const next = { ...this.cfg };
    if (Number.isInteger(c.reportIntervalS) && (c.reportIntervalS as number) >= 1)
      next.reportIntervalS = c.reportIntervalS as number;
    if (typeof c.shockThresholdG === 'number' && c.shockThresholdG > 0) next.shockThresholdG = c.shockThresholdG;
    if (typeof c.lightThresholdLux === 'number' && c.lightThresholdLux >= 0)
      next.lightThresholdLux = c.lightThresholdLux;
    const intervalChanged = next.reportIntervalS !== this.cfg.reportIntervalS;
    this.cfg = next;
    if (intervalChanged && this.clock === 'real-time' && this.timer) {
      // Re-plan the next reading from the last one, at the new interval.
      clearTimeout(this.timer);
      const since = Date.now() - (this.lastReadingMs ?? Date.now());
      this.schedule(Math.max(0, next.reportIntervalS * 1000 - since));
    }
  }

  private useClock(clock: Exclude<Clock, 'idle'>): void {
    if (this.clock !== 'idle' && this.clock !== clock)
      throw new Error(`tracker ${this.id} already runs on the ${this.clock} clock`);
    this.clock = clock;
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new Error(`tracker ${this.id} is not connected; call connect() first`);
    return this.client;
  }

  /** Keeps a send visible to stop(), which waits for it. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    return p.finally(() => this.pending.delete(p));
  }

  private reportError(err: unknown): void {
    this.counts.errors++;
    this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

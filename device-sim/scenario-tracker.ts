import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  deviceClientOptions,
  endClient,
  firstConnect,
  OFFLINE_STATUS,
  onlineStatus,
  publishQos1,
} from './mqtt-device.ts';
import { statusTopic, telemetryTopic, type SimReading } from './protocol.ts';
import type { Scenario } from './scenarios.ts';
import { Uplink } from './uplink.ts';

export interface ScenarioTrackerOptions {
  url: string;
  id: string;
  secret: string;
  /** Seeds the shuffle of late batches; default 1. */
  seed?: number;
  mqttOptions?: Partial<IClientOptions>;
}

export interface PlayOptions {
  /**
   * Coverage is lost from this event time on: those readings are buffered and uploaded
   * when the script ends, as batches shuffled the way a real modem's backlog may arrive.
   */
  coverageGapFrom?: number;
}

/**
 * A tracker that plays a scripted trip (scenarios.ts) over the protocol: each reading as
 * its own message in event-time order, as if live, with simulated ts, so a trip of hours
 * plays in a fraction of a second. Resolves once every message is PUBACKed.
 */
export class ScenarioTracker {
  private client: MqttClient | undefined;
  private readonly uplink: Uplink;

  constructor(private readonly o: ScenarioTrackerOptions) {
    this.uplink = new Uplink(o.seed ?? 1, { outOfOrder: true });
  }

  async connect(): Promise<void> {
    if (this.client) return;
    const client = connect(
      this.o.url,
      deviceClientOptions(this.o.id, this.o.secret, { reconnectPeriod: 0, ...this.o.mqttOptions }),
    );
    try {
      await firstConnect(client);
    } catch (err) {
      client.end(true);
      throw err;
    }
    this.client = client;
  }

  async play(scenario: Scenario | readonly SimReading[], opts: PlayOptions = {}): Promise<void> {
    const client = this.requireClient();
    const readings = 'readings' in scenario ? scenario.readings : scenario;
    const first = readings[0];
    if (first?.batteryPct !== undefined)
      await publishQos1(client, statusTopic(this.o.id), onlineStatus(first.batteryPct), true);
    for (const reading of readings) {
      if (opts.coverageGapFrom !== undefined && this.uplink.inCoverage && tsMs(reading) >= opts.coverageGapFrom)
        this.uplink.startGap();
      await this.send(client, this.uplink.submit([reading]));
    }
    await this.send(client, this.uplink.endGap());
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    if (client.connected) await publishQos1(client, statusTopic(this.o.id), OFFLINE_STATUS, true);
    await endClient(client);
  }

  private async send(client: MqttClient, outgoing: ReturnType<Uplink['submit']>): Promise<void> {
    for (const m of outgoing) await publishQos1(client, telemetryTopic(this.o.id), JSON.stringify(m.body));
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new Error(`tracker ${this.o.id} is not connected; call connect() first`);
    return this.client;
  }
}

const tsMs = (r: SimReading): number => (typeof r.ts === 'number' ? r.ts : Date.parse(r.ts));

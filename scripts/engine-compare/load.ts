import mqtt, { type MqttClient } from 'mqtt';

/**
 * The one load generator every engine gets: N mqtt.js clients, each its own tracker, each
 * publishing `readings` single-reading QoS 1 messages of the tracker protocol's JSON on
 * `trackers/{id}/telemetry`, `window` unacknowledged at a time. A reading counts as
 * acknowledged only when its PUBACK arrived; a client whose connection dies stops there.
 */
export interface LoadOptions {
  url: string;
  username?: string;
  password?: string;
  devices: string[];
  readings: number;
  window: number;
  /** Called after every PUBACK with the running total (the crash phase kills the engine from here). */
  onAck?: (acked: number) => void;
}

export interface LoadResult {
  /** `device:seq` of every PUBACKed reading. */
  acked: Set<string>;
  firstPublishAt: number;
  lastAckAt: number;
  /** Clients whose connection failed before their last PUBACK. */
  broken: number;
}

export const readingJson = (seq: number, at: number) =>
  JSON.stringify({
    seq,
    ts: new Date(at).toISOString(),
    lat: 52.52 + seq * 1e-5,
    lon: 13.405,
    tempC: 4.5,
    humidityPct: 61,
    shockG: 0.1,
    tiltDeg: 3,
    lightLux: 0,
    batteryPct: 88,
  });

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const acked = new Set<string>();
  let broken = 0;
  const clients: MqttClient[] = await Promise.all(
    o.devices.map((id) =>
      mqtt.connectAsync(o.url, {
        clientId: id,
        username: o.username,
        password: o.password,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 15_000,
        protocolVersion: 4,
      }),
    ),
  );
  const firstPublishAt = Date.now();
  let lastAckAt = firstPublishAt;
  const one = (c: MqttClient, id: string) =>
    new Promise<void>((resolve) => {
      let next = 1;
      let inflight = 0;
      let dead = false;
      const finish = () => {
        if (dead) return;
        dead = true;
        resolve();
      };
      c.on('close', () => {
        if (next <= o.readings || inflight > 0) broken++;
        finish();
      });
      c.on('error', () => {});
      const pump = () => {
        while (!dead && inflight < o.window && next <= o.readings) {
          const seq = next++;
          inflight++;
          c.publish(`trackers/${id}/telemetry`, readingJson(seq, firstPublishAt + seq), { qos: 1 }, (err) => {
            inflight--;
            if (dead) return;
            if (err) return void c.end(true);
            acked.add(`${id}:${seq}`);
            lastAckAt = Date.now();
            o.onAck?.(acked.size);
            if (next > o.readings && inflight === 0) {
              finish();
              c.end(true);
            } else pump();
          });
        }
      };
      pump();
    });
  await Promise.all(clients.map((c, i) => one(c, o.devices[i]!)));
  for (const c of clients) c.end(true);
  return { acked, firstPublishAt, lastAckAt, broken };
}

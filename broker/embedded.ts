import type { Aedes } from 'aedes';
import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { DeviceService } from '../core/services/device.service.ts';
import { closeBroker, createBroker } from './broker.ts';
import type { ConnectLimits, PersistHook } from './broker-context.ts';
import { aedesConfigPublisher } from './config-publisher.ts';
import { startListeners, type ListenerOptions } from './listeners.ts';

export interface EmbeddedBrokerOptions {
  devices: DeviceService;
  metrics: Metrics;
  log: Logger;
  /** The in-process ingest: a publish is acknowledged only after it is stored. */
  persist: PersistHook;
  limits: ConnectLimits;
  listen: Omit<ListenerOptions, 'metrics' | 'log'>;
}

export interface EmbeddedBroker {
  broker: Aedes;
  mqttUrl: string;
  mqttsUrl: string | undefined;
  mqttWsUrl: string;
  ready(): boolean;
  /** Disconnects every device, then waits for the listeners to close. */
  stop(): Promise<void>;
}

/**
 * The aedes broker in this process: its access hooks, the device service's handles on it
 * (revoking sessions, publishing configs), and its listeners, opened only once every
 * stored config is republished.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { devices, log, metrics } = o;
  const { broker, sessions } = await createBroker({
    ctx: {
      devices,
      log,
      metrics,
      refuse: (kind, deviceId, reason) => {
        metrics.authFailures.inc({ kind });
        log.warn({ deviceId, kind, reason }, 'broker refused');
      },
      persist: o.persist,
      limits: o.limits,
    },
  });
  const detach = () => {
    devices.attachConfigPublisher(undefined);
    devices.attachSessions(undefined);
  };
  try {
    // The API revokes devices (rotated secret, disabled) through this port, not the broker.
    devices.attachSessions(sessions);
    // Configs go out retained through aedes, whose retained store lives in memory: they are
    // republished from the database before the first tracker can connect.
    devices.attachConfigPublisher(aedesConfigPublisher(broker, log));
    await devices.republishConfigs();
    const listeners = await startListeners(broker, { ...o.listen, metrics, log });
    return {
      broker,
      mqttUrl: listeners.mqttUrl,
      mqttsUrl: listeners.mqttsUrl,
      mqttWsUrl: listeners.mqttWsUrl,
      ready: () => !broker.closed,
      stop: async () => {
        await closeBroker(broker);
        await listeners.stop();
        detach();
      },
    };
  } catch (err) {
    await closeBroker(broker);
    detach();
    throw err;
  }
}

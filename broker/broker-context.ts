import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { DeviceService } from '../core/services/device.service.ts';

/** What the broker's hooks need from the platform. */
export interface BrokerContext {
  devices: DeviceService;
  log: Logger;
  metrics: Metrics;
  /** Logs and counts a refusal with the device id and the reason. */
  refuse(kind: 'connect' | 'publish' | 'subscribe', deviceId: string, reason: string): void;
}

import type { Logger } from '../core/observability/logger.ts';
import type { Metrics } from '../core/observability/metrics.ts';
import type { DeviceService } from '../core/services/device.service.ts';

/** What the broker's hooks need from the platform. */
export interface BrokerContext {
  devices: DeviceService;
  log: Logger;
  metrics: Metrics;
  /**
   * Stores an authorized device publish before the broker acknowledges it (the in-process
   * ingest). aedes writes a QoS 1 PUBACK before it runs its `published` hook, so durability
   * has to be reached inside authorizePublish, which runs before the PUBACK. Absent: publishes
   * are only routed.
   */
  persist?: PersistHook;
  /** Logs and counts a refusal with the device id and the reason. */
  refuse(kind: 'connect' | 'publish' | 'subscribe', deviceId: string, reason: string): void;
  /** Connection rate limits; 0 turns one off. */
  limits?: ConnectLimits;
}

export interface ConnectLimits {
  /** CONNECT attempts per device id per minute (also the burst). */
  connectsPerDevicePerMin: number;
  /** Failed sign-ins per source IP per minute (also the burst). */
  authFailuresPerIpPerMin: number;
}

/** Holds a client's connection while its publish waits for room in ingest. */
export interface ClientFlow {
  pause(): void;
  resume(): void;
  /** Calls `listener` if the connection closes; returns the function that removes it. */
  onClose(listener: () => void): () => void;
}

export type PersistHook = (
  deviceId: string,
  topic: string,
  payload: Buffer,
  done: (err?: Error) => void,
  flow?: ClientFlow,
) => void;

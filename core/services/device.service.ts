import { systemActor, type AuditActor } from '../domain/auth/principal.ts';
import type { Pool } from '../storage/database.ts';
import { AuditRepository } from '../storage/repositories/audit.repository.ts';
import { withTransaction } from '../storage/transaction.ts';
import { DEVICE_ID_PATTERN, type TrackerConfig, type TrackerStatus } from '../protocol/tracker-protocol.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { randomBytes } from 'node:crypto';
import {
  deviceSecretKey,
  hashDeviceSecret,
  newDeviceSecret,
  verifyDeviceSecret,
  type DeviceSecretKey,
} from '../domain/device-secret.ts';
import { platformKey } from '../storage/repositories/creator-link.repository.ts';
import { DeviceRepository, type DeviceRow } from '../storage/repositories/device.repository.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * Live connections of devices, as far as this process can reach them: the embedded broker
 * registers itself here at start (platform/start-platform.ts), so the API can revoke a
 * device without importing the broker. With an external broker nothing is registered and
 * only the stored state changes (docs/SECURITY.md).
 */
export interface DeviceSessions {
  /** Forgets any cached verification of the device's secret and closes its connection, if any. */
  revoke(id: string, reason: 'secret_rotated' | 'disabled'): void;
}

/**
 * Where configs go out to trackers: the embedded broker, or the platform's MQTT client on
 * MQTT_URL (broker/config-publisher.ts), registered at start like DeviceSessions.
 */
export interface ConfigPublisher {
  /** Publishes trackers/{id}/config, QoS 1, retained; resolves once the broker has taken it. */
  publishConfig(id: string, config: TrackerConfig): Promise<void>;
}

/** A PUT answers once the broker took the config, or after this long (it is published later). */
const PUBLISH_WAIT_MS = 5000;

export type AuthResult = { ok: true } | { ok: false; reason: 'unknown_device' | 'bad_secret' | 'disabled' | 'bad_id' };

/** How device secrets are hashed (docs/SECURITY.md, "Device secrets"). */
export interface DeviceSecretConfig {
  /** DEVICE_SECRET_KEY; unset: a key the platform makes once and keeps in the database. */
  key?: string;
  /** DEVICE_SECRET_KEY_PREVIOUS: earlier keys, still accepted; their hashes are rewritten under the current key. */
  previousKeys?: readonly string[];
}

/** The name of the platform's own device-secret key in platform_keys. */
const PLATFORM_KEY_NAME = 'device_secret';

export class DeviceService {
  private sessions: DeviceSessions | undefined;
  private publisher: ConfigPublisher | undefined;
  /** The last config publish queued per device: publishes of one device never overtake each other. */
  private readonly publishing = new Map<string, Promise<void>>();

  private readonly devices: DeviceRepository;
  private readonly pool: Pool | undefined;

  private readonly secretConfig: DeviceSecretConfig;
  private keysPromise: Promise<DeviceSecretKey[]> | undefined;

  constructor({ pool }: ServiceDeps, secrets: DeviceSecretConfig = {}) {
    this.devices = new DeviceRepository(pool);
    this.pool = pool;
    this.secretConfig = secrets;
  }

  /**
   * The keys of device-secret hashes, current first: the configured one, or the platform's
   * own (made once, shared by every process). With a configured key, the platform's own, if
   * one was ever made, stays accepted, so setting DEVICE_SECRET_KEY later locks out no one.
   */
  private keys(): Promise<DeviceSecretKey[]> {
    this.keysPromise ??= this.loadKeys().catch((err: unknown) => {
      this.keysPromise = undefined; // a database hiccup at start is not remembered
      throw err;
    });
    return this.keysPromise;
  }

  private async loadKeys(): Promise<DeviceSecretKey[]> {
    const { key, previousKeys = [] } = this.secretConfig;
    const earlier = previousKeys.map(deviceSecretKey);
    if (!key) {
      const own = await platformKey(this.requirePool(), PLATFORM_KEY_NAME, () => randomBytes(32).toString('base64url'));
      return [deviceSecretKey(own), ...earlier];
    }
    const own = this.pool ? await this.devices.platformKeyIfAny(PLATFORM_KEY_NAME) : undefined;
    return [deviceSecretKey(key), ...earlier, ...(own ? [deviceSecretKey(own)] : [])];
  }

  private async hash(secret: string): Promise<string> {
    return hashDeviceSecret(secret, (await this.keys())[0]!);
  }

  /** The broker's handle on live connections (one per process; the last one registered wins). */
  attachSessions(sessions: DeviceSessions | undefined): void {
    this.sessions = sessions;
  }

  /** Where configs are published (one per process; undefined: they are only stored). */
  attachConfigPublisher(publisher: ConfigPublisher | undefined): void {
    this.publisher = publisher;
  }

  /**
   * Replaces the device's desired config, audited with the principal as actor, then
   * publishes it retained, so a tracker out of coverage gets it when it connects. The
   * stored config is the record; configPublishedAt says whether the broker has it yet.
   */
  async setConfig(id: string, config: TrackerConfig, by: AuditActor): Promise<DeviceRow> {
    await withTransaction(this.requirePool(), async (tx) => {
      const change = await new DeviceRepository(tx).setConfig(id, config, by.actor);
      if (!change) throw notFound('device', id);
      await new AuditRepository(tx).record(by, {
        action: 'device.config',
        entityType: 'device',
        entityId: id,
        detail: { config, previous: change.before.config },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.publishStored(id),
      new Promise<void>((r) => (timer = setTimeout(r, PUBLISH_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
    return this.get(id);
  }

  /**
   * Publishes every stored config again (at start): the embedded broker keeps retained
   * messages in memory only, and an external one may have lost them. Resolves when all
   * were taken or failed.
   */
  async republishConfigs(): Promise<number> {
    const stored = await this.devices.configs();
    await Promise.all(stored.map((d) => this.publishStored(d.id)));
    return stored.length;
  }

  /**
   * Publishes what is stored when its turn comes, not what a request carried: two quick
   * changes are published in order and the retained message ends as the latest stored one.
   * A failure leaves configPublishedAt null (the publisher logs it); never rejects.
   */
  private publishStored(id: string): Promise<void> {
    const next = (this.publishing.get(id) ?? Promise.resolve())
      .then(async () => {
        const publisher = this.publisher;
        const device = await this.devices.get(id);
        if (!publisher || !device?.config || !device.configUpdatedAt) return;
        await publisher.publishConfig(id, device.config);
        await this.devices.markConfigPublished(id, device.configUpdatedAt);
      })
      .catch(() => {});
    this.publishing.set(id, next);
    void next.then(() => {
      if (this.publishing.get(id) === next) this.publishing.delete(id);
    });
    return next;
  }

  /** Provisions a tracker. The secret is returned here once and stored only as a hash. */
  async provision(
    input: { id?: string; label?: string },
    by: AuditActor = systemActor('api'),
  ): Promise<{ id: string; secret: string }> {
    const secret = newDeviceSecret();
    const hash = await this.hash(secret);
    if (input.id !== undefined && !DEVICE_ID_PATTERN.test(input.id)) {
      throw new DomainError('VALIDATION_FAILED', 'device id must match ^[a-z0-9][a-z0-9-]{2,63}$', { id: input.id });
    }
    // The device and its audit row commit together (without a pool, as in unit tests, no audit).
    const insert = (id: string) =>
      this.pool
        ? withTransaction(this.pool, async (tx) => {
            if (!(await new DeviceRepository(tx).insert(id, hash, input.label ?? null))) return false;
            await new AuditRepository(tx).record(by, {
              action: 'device.provision',
              entityType: 'device',
              entityId: id,
              detail: { label: input.label ?? null },
            });
            return true;
          })
        : this.devices.insert(id, hash, input.label ?? null);
    if (input.id !== undefined) {
      if (!(await insert(input.id))) {
        throw new DomainError('ALREADY_EXISTS', `device ${input.id} is already provisioned`, { id: input.id });
      }
      return { id: input.id, secret };
    }
    // Generated ids may race with a concurrent provisioning: take the next one and retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = await this.devices.nextFreeId();
      if (await insert(id)) return { id, secret };
    }
    throw new DomainError('CONFLICT', 'could not allocate a device id; try again');
  }

  async authenticate(id: string, secret: string): Promise<AuthResult> {
    if (!DEVICE_ID_PATTERN.test(id)) return { ok: false, reason: 'bad_id' };
    const creds = await this.devices.credentials(id);
    if (!creds) return { ok: false, reason: 'unknown_device' };
    // The secret is judged first: only a caller who holds it learns that the device is disabled.
    const keys = await this.keys();
    const check = await verifyDeviceSecret(secret, creds.secretHash, keys);
    if (!check.ok) return { ok: false, reason: 'bad_secret' };
    if (check.rehash) {
      // Stored as scrypt (before the keyed hash) or under an earlier key: rewritten now, so the
      // next sign-in is cheap. Only if the hash is still the one checked (a rotation that
      // committed meanwhile wins). Best effort: the sign-in stands, the next one tries again.
      await this.devices
        .replaceSecretHash(id, creds.secretHash, hashDeviceSecret(secret, keys[0]!))
        .catch(() => undefined);
    }
    return creds.disabled ? { ok: false, reason: 'disabled' } : { ok: true };
  }

  /**
   * Issues a new secret, returned here once; the old one is refused from the moment this
   * returns (no grace period: a tracker that cannot take the new secret stays offline), and
   * the device's open connection is closed so it signs in again with the new one.
   */
  async rotateSecret(id: string, by: AuditActor): Promise<{ id: string; secret: string }> {
    const secret = newDeviceSecret();
    const hash = await this.hash(secret);
    await withTransaction(this.requirePool(), async (tx) => {
      if (!(await new DeviceRepository(tx).setSecretHash(id, hash))) throw notFound('device', id);
      await new AuditRepository(tx).record(by, { action: 'device.rotate_secret', entityType: 'device', entityId: id });
    });
    this.sessions?.revoke(id, 'secret_rotated');
    return { id, secret };
  }

  /**
   * A disabled device is refused at connect and its open connection is closed; enabling lets
   * it sign in again with its current secret. Setting the state it already has changes nothing
   * and writes no audit row.
   */
  async setDisabled(id: string, disabled: boolean, by: AuditActor): Promise<DeviceRow> {
    const device = await withTransaction(this.requirePool(), async (tx) => {
      const change = await new DeviceRepository(tx).setDisabled(id, disabled);
      if (!change) throw notFound('device', id);
      if ((change.before.disabledAt !== null) !== disabled) {
        await new AuditRepository(tx).record(by, {
          action: disabled ? 'device.disable' : 'device.enable',
          entityType: 'device',
          entityId: id,
        });
      }
      return change.after;
    });
    // Also when it was already disabled: a connection that raced the first disable goes too.
    if (disabled) this.sessions?.revoke(id, 'disabled');
    return device;
  }

  private requirePool(): Pool {
    if (!this.pool) throw new Error('DeviceService needs a pool for changes that are audited');
    return this.pool;
  }

  async get(id: string): Promise<DeviceRow> {
    const device = await this.devices.get(id);
    if (!device) throw notFound('device', id);
    return device;
  }

  list(): Promise<DeviceRow[]> {
    return this.devices.list();
  }

  applyStatus(id: string, status: TrackerStatus, receivedAt: number): Promise<void> {
    return this.devices.applyStatus(id, {
      online: status.state === 'online',
      ...(status.fw !== undefined ? { fw: status.fw } : {}),
      ...(status.batteryPct !== undefined ? { batteryPct: status.batteryPct } : {}),
      at: new Date(receivedAt),
    });
  }
}

import type { Aedes, Client } from 'aedes';
import type { DeviceSessions } from '../core/services/device.service.ts';
import type { Logger } from '../core/observability/logger.ts';

// A verified secret is remembered this long, so a reconnect needs no database lookup.
const CACHE_TTL_MS = 10 * 60_000;

/**
 * What the embedded broker knows about devices' credentials between connects: verified
 * secrets (by digest), and a generation per device that `revoke` bumps. A connection
 * remembers the generation it signed in under; once the generation moves on (secret rotated,
 * device disabled) the connection is closed and anything it still sends is refused, even if
 * its sign-in was in flight while the change committed.
 */
export class BrokerDeviceSessions implements DeviceSessions {
  private readonly verified = new Map<string, { digest: string; until: number }>();
  private readonly generations = new Map<string, number>();
  private readonly signedInUnder = new WeakMap<Client, number>();
  private broker: Aedes | undefined;

  constructor(private readonly log: Logger) {}

  attach(broker: Aedes): void {
    this.broker = broker;
    // A sign-in that was verified before a revoke but registered after it.
    broker.on('clientReady', (client) => {
      if (!this.isCurrent(client)) this.close(client, 'credentials changed while signing in');
    });
  }

  generation(id: string): number {
    return this.generations.get(id) ?? 0;
  }

  isVerified(id: string, digest: string, now = Date.now()): boolean {
    const hit = this.verified.get(id);
    return hit !== undefined && hit.digest === digest && hit.until > now;
  }

  /** Records a successful check made under `generation`; ignored if a revoke came in between. */
  remember(id: string, digest: string, generation: number): void {
    if (generation === this.generation(id)) this.verified.set(id, { digest, until: Date.now() + CACHE_TTL_MS });
  }

  forget(id: string): void {
    this.verified.delete(id);
  }

  /** Marks `client` as signed in under the device's current generation. */
  signedIn(client: Client, generation: number): void {
    this.signedInUnder.set(client, generation);
  }

  /** Whether the client's sign-in still stands (false after a revoke of its device). */
  isCurrent(client: Client): boolean {
    const at = this.signedInUnder.get(client);
    return at !== undefined && at === this.generation(client.id);
  }

  revoke(id: string, reason: 'secret_rotated' | 'disabled'): void {
    this.generations.set(id, this.generation(id) + 1);
    this.verified.delete(id);
    // aedes keeps its connected clients by id; its typings leave the map out.
    const client = (this.broker as (Aedes & { clients: Record<string, Client | undefined> }) | undefined)?.clients[id];
    if (client) this.close(client, reason);
  }

  private close(client: Client, reason: string): void {
    this.log.info({ deviceId: client.id, reason }, 'device connection closed');
    client.close();
  }
}

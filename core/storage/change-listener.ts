import { EventEmitter } from 'node:events';
import pg from 'pg';

export interface ChangeListenerEvents {
  changed: [channel: string, ids: string[]];
  /** The listening connection was (re)established; anything announced meanwhile was missed. */
  connected: [];
  error: [err: Error];
}

/**
 * LISTENs on Postgres channels with a connection of its own and emits the ids each
 * NOTIFY carries. Reconnects with back-off; after a reconnect it emits `connected` so
 * consumers can resynchronise what they may have missed.
 */
export class ChangeListener extends EventEmitter<ChangeListenerEvents> {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'sampletrack-listen' });
    client.on('notification', (n) => {
      if (this.channels.includes(n.channel) && n.payload) this.emit('changed', n.channel, n.payload.split(','));
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listen connection ended')));
    await client.connect();
    for (const channel of this.channels) await client.query(`listen "${channel}"`);
    this.client = client;
    this.attempt = 0;
    this.emit('connected');
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.emit('error', err);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const delay = Math.min(250 * 2 ** this.attempt++, 10_000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch((err: Error) => {
        this.emit('error', err);
        this.scheduleReconnect();
      });
    }, delay);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}

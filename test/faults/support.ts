import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from '../support/wait-for.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The real platform as its own process (`platform/main.ts`), so a test can kill it. */
export class PlatformProcess {
  private child: ChildProcess | undefined;
  exitCode: number | null = null;
  output = '';

  private token: string | undefined;

  constructor(private readonly env: Record<string, string>) {
    // The first admin, from the environment as on a real first start.
    this.env = { ADMIN_EMAIL: 'faults@test.local', ADMIN_PASSWORD: 'fault-tests-only-password', ...env };
  }

  /** Authorization for API calls: signs in as the first admin and makes an API token once. */
  async authHeaders(): Promise<Record<string, string>> {
    if (!this.token) {
      const login = await fetch(`${this.httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: this.env.ADMIN_EMAIL, password: this.env.ADMIN_PASSWORD }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const res = await fetch(`${this.httpUrl}/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-requested-with': 'sampletrack' },
        body: JSON.stringify({ name: 'fault tests', role: 'admin' }),
      });
      this.token = ((await res.json()) as { token: string }).token;
    }
    return { authorization: `Bearer ${this.token}` };
  }

  /** Provisions trackers through the API; their secrets are returned once. */
  async provision(prefix: string, n: number): Promise<{ id: string; secret: string }[]> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${this.httpUrl}/api/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await this.authHeaders()) },
        body: JSON.stringify({ id: `${prefix}-${i}` }),
      });
      if (res.status !== 201) throw new Error(`provisioning answered ${res.status}: ${await res.text()}`);
      out.push((await res.json()) as { id: string; secret: string });
    }
    return out;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.env.HTTP_PORT}`;
  }

  async start(): Promise<void> {
    this.exitCode = null;
    const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d));
    child.stderr!.on('data', (d: Buffer) => (this.output += d));
    child.on('exit', (code) => (this.exitCode = code ?? -1));
    this.child = child;
    await waitFor(
      async () => {
        if (this.exitCode !== null) throw new Error(`platform exited ${this.exitCode}: ${this.output.slice(-2000)}`);
        const res = await fetch(`${this.httpUrl}/readyz`).catch(() => undefined);
        return res?.ok;
      },
      60_000,
      'the platform to be ready',
    );
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<number> {
    const child = this.child!;
    const exited = new Promise<number>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
    child.kill(signal);
    return exited;
  }
}

/**
 * Trackers that publish numbered readings at QoS 1 on persistent sessions and keep what
 * is not acknowledged, resending after a reconnect, as firmware does. Counts what was
 * acknowledged.
 */
export function trackerFleet(url: string, creds: { id: string; secret: string }[], readingsEach: number, window = 16) {
  const acked = new Map<string, Set<number>>();
  const clients: MqttClient[] = [];
  const done = creds.map(async ({ id, secret }) => {
    const set = new Set<number>();
    acked.set(id, set);
    const client = mqtt.connect(url, {
      clientId: id,
      username: id,
      password: secret,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 250,
      connectTimeout: 5000,
      // A refused CONNACK (3, server unavailable: the device database is away) is retried as
      // firmware does; mqtt.js alone would stop reconnecting after it.
      reconnectOnConnackError: true,
    });
    clients.push(client);
    client.on('error', () => {});
    let next = 0;
    let inFlight = 0;
    const retry: number[] = [];
    const base = Date.now() - readingsEach * 1000;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while ((retry.length || next < readingsEach) && inFlight < window) {
          const seq = retry.shift() ?? next++;
          inFlight++;
          client.publish(
            `trackers/${id}/telemetry`,
            JSON.stringify({ seq, ts: base + seq * 1000, tempC: 5 }),
            { qos: 1 },
            (err) => {
              inFlight--;
              // A publish mqtt.js gave up on is sent again, as firmware keeps unacknowledged readings.
              if (err) retry.push(seq);
              else set.add(seq);
              if (set.size === readingsEach) resolve();
              else setTimeout(pump, err ? 200 : 0);
            },
          );
        }
      };
      pump();
    });
  });
  return {
    acked,
    sent: () => creds.length * readingsEach,
    ackedCount: () => [...acked.values()].reduce((n, s) => n + s.size, 0),
    connectedCount: () => clients.filter((c) => c.connected).length,
    finished: Promise.all(done),
    stop: () => Promise.all(clients.map((c) => c.endAsync(true).catch(() => {}))),
  };
}

import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as mqttPacket from 'mqtt-packet';
import { hashSecret } from '../core/domain/device-secret.ts';

/**
 * npm run bench:connections -- --trackers 10000 [--concurrency 500] [--idle-seconds 10] [--legacy-scrypt]
 *
 * A fleet reconnecting at once (after a platform restart or a network cut): starts the
 * platform on its embedded defaults (embedded PostgreSQL, embedded broker), provisions N
 * trackers, then a separate process (this file with --load, so its CPU is not the
 * platform's) opens N MQTT connections, each signing in with its own secret and subscribing
 * to its config topic as a tracker does. Prints: time until all were connected, the
 * platform's CPU for it, its RSS with N idle connections, its CPU over --idle-seconds, and
 * failures by CONNACK code. --legacy-scrypt stores the secrets as scrypt hashes first (as
 * before issue 14), to measure the sign-in cost the keyed hash removed; use it with a few
 * hundred trackers, not thousands. Exit code 1 on any failure.
 *
 * Needs an open-files limit above N in both processes (Node raises its soft limit to the
 * hard one at start): it prints the limit and stops with a clear message if it is too low.
 */
const { values: args } = parseArgs({
  options: {
    trackers: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '500' },
    'idle-seconds': { type: 'string', default: '10' },
    'legacy-scrypt': { type: 'boolean', default: false },
    load: { type: 'boolean', default: false },
    url: { type: 'string' },
    devices: { type: 'string' },
    keepalive: { type: 'string', default: '60' },
  },
});
const self = fileURLToPath(import.meta.url);
const num = (name: keyof typeof args) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
};

/** The process's open-files limits, from /proc (Linux); undefined elsewhere. */
async function openFilesLimit(): Promise<{ soft: number; hard: number } | undefined> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return undefined;
  const n = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: n(m[1]!), hard: n(m[2]!) };
}

const percentile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;

// ---------------------------------------------------------------------------------------
// Load generator (child process): raw sockets and mqtt-packet, so 10,000 clients fit in a
// small process; each is a real MQTT 3.1.1 session (CONNECT, SUBSCRIBE, PINGREQ).
// ---------------------------------------------------------------------------------------
async function runLoader(): Promise<void> {
  const url = new URL(args.url!);
  const devices = JSON.parse(await readFile(args.devices!, 'utf8')) as { id: string; secret: string }[];
  const concurrency = num('concurrency');
  const keepalive = num('keepalive');
  const sockets: Socket[] = [];
  const failures: Record<string, number> = {};
  const connectMs: number[] = [];
  const fail = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);
  const start = performance.now();

  const one = (d: { id: string; secret: string }) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const socket = tcpConnect({ host: url.hostname, port: Number(url.port) });
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let settled = false;
      const settle = (why?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (why) {
          fail(why);
          socket.destroy();
        } else {
          connectMs.push(performance.now() - t0);
          sockets.push(socket);
        }
        resolve();
      };
      const timer = setTimeout(() => settle('timeout (30 s)'), 30_000);
      socket.setNoDelay(true);
      socket.on('connect', () =>
        socket.write(
          mqttPacket.generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clientId: d.id,
            username: d.id,
            password: Buffer.from(d.secret),
            clean: true,
            keepalive,
          }),
        ),
      );
      socket.on('data', (b: Buffer) => parser.parse(b));
      socket.on('error', (err: NodeJS.ErrnoException) => settle(`socket ${err.code ?? err.message}`));
      socket.on('close', () => settle('closed by the broker'));
      parser.on('packet', (packet) => {
        if (packet.cmd === 'connack') {
          if (packet.returnCode !== 0) return settle(`CONNACK ${packet.returnCode}`);
          socket.write(
            mqttPacket.generate({
              cmd: 'subscribe',
              messageId: 1,
              subscriptions: [{ topic: `trackers/${d.id}/config`, qos: 1 }],
            }),
          );
        } else if (packet.cmd === 'suback') {
          settle(packet.granted[0] === 128 ? 'SUBACK refused' : undefined);
        }
      });
    });

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, devices.length) }, async () => {
      while (next < devices.length) await one(devices[next++]!);
    }),
  );
  const durationMs = performance.now() - start;
  connectMs.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      connected: sockets.length,
      failures,
      durationMs: Math.round(durationMs),
      connectMs: { p50: Math.round(percentile(connectMs, 0.5)), p99: Math.round(percentile(connectMs, 0.99)) },
      loaderRssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    })}\n`,
  );

  // Idle like trackers: a PINGREQ per connection per 3/4 keepalive, spread over the interval.
  const ping = mqttPacket.generate({ cmd: 'pingreq' });
  const periodMs = (keepalive * 1000 * 3) / 4;
  const pinger = setInterval(() => {
    for (const s of sockets) if (Math.random() < 1000 / periodMs) s.write(ping);
  }, 1000);
  const stop = () => {
    clearInterval(pinger);
    for (const s of sockets) s.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).resume(); // the parent went away
}

// ---------------------------------------------------------------------------------------
// The platform side (parent process).
// ---------------------------------------------------------------------------------------
async function ensureOpenFiles(need: number): Promise<void> {
  const limit = await openFilesLimit();
  if (!limit) {
    console.log(`open-files limit unknown (no /proc); make sure \`ulimit -n\` is above ${need}`);
    return;
  }
  console.log(`open-files limit: soft ${limit.soft}, hard ${limit.hard}; needed per process ≈ ${need}`);
  if (limit.soft >= need) return;
  if (limit.hard < need) {
    console.error(
      `the hard open-files limit (${limit.hard}) is below the ${need} this run needs: raise it ` +
        `(root: \`ulimit -Hn ${need}\` in the shell that runs npm, /etc/security/limits.conf, ` +
        `or docker run --ulimit nofile=${need}:${need}), or run fewer --trackers`,
    );
    process.exit(2);
  }
  // Node raises its soft limit to the hard one at start, so only the hard limit can fall short.
  console.error(
    `the soft open-files limit (${limit.soft}) is below the ${need} this run needs: run \`ulimit -n ${need}\` first`,
  );
  process.exit(2);
}

async function runBench(): Promise<void> {
  const trackers = num('trackers');
  const idleSeconds = num('idle-seconds');
  await ensureOpenFiles(trackers + 1024);
  const { startPlatform } = await import('../platform/start-platform.ts');

  const dir = await mkdtemp(join(tmpdir(), 'sampletrack-bench-conn-'));
  await chmod(dir, 0o777);
  const platform = await startPlatform({
    env: {
      DATA_DIR: dir,
      HTTP_PORT: '0',
      MQTT_PORT: '0',
      MQTT_WS_PORT: '0',
      // Below 32768 (Linux's ephemeral range), so the load's client ports never take it.
      EMBEDDED_PG_PORT: String(20000 + Math.floor(Math.random() * 12000)),
      DEMO_FLEET: '0',
      LOG_LEVEL: 'warn',
    },
  });
  let loader: ReturnType<typeof spawn> | undefined;
  try {
    console.log(`provisioning ${trackers} trackers…`);
    let t = performance.now();
    const creds: { id: string; secret: string }[] = new Array(trackers);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < trackers; i = next++) {
          creds[i] = await platform.provisionDevice(`trk-conn-${String(i).padStart(6, '0')}`);
        }
      }),
    );
    const provisionS = (performance.now() - t) / 1000;
    if (args['legacy-scrypt']) {
      console.log('storing the secrets as scrypt hashes, as before issue 14…');
      for (const c of creds) {
        await platform.pool.query('update devices set secret_hash = $2 where id = $1', [
          c.id,
          await hashSecret(c.secret),
        ]);
      }
    }
    const file = join(dir, 'devices.json');
    await writeFile(file, JSON.stringify(creds));

    console.log(`connecting ${trackers} trackers from a separate process…`);
    const cpuBefore = process.cpuUsage();
    t = performance.now();
    loader = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        self,
        '--load',
        '--url',
        platform.mqttUrl,
        '--devices',
        file,
        '--concurrency',
        args.concurrency!,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const child = loader;
    const summary = await new Promise<{
      connected: number;
      failures: Record<string, number>;
      durationMs: number;
      connectMs: { p50: number; p99: number };
      loaderRssMb: number;
    }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
      });
      child.on('exit', (code) => reject(new Error(`the load generator exited ${code} before reporting`)));
    });
    const connectCpu = process.cpuUsage(cpuBefore);
    const connectS = (performance.now() - t) / 1000;

    // Settle, then measure idle: every tracker connected, pinging, nothing else happening.
    await new Promise((r) => setTimeout(r, 2000));
    const idleBefore = process.cpuUsage();
    const idleT = performance.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpu = process.cpuUsage(idleBefore);
    const idleWallMs = performance.now() - idleT;
    const mem = process.memoryUsage();
    const failed = trackers - summary.connected;

    const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    const rssMb = Math.round(mem.rss / 2 ** 20);
    const report = {
      machine: `${cpus().length} cores, Node ${process.version}`,
      trackers,
      secretHashes: args['legacy-scrypt'] ? 'scrypt (before issue 14)' : 'hmac-sha256',
      provisionSeconds: Number(provisionS.toFixed(1)),
      connected: summary.connected,
      failed,
      failures: summary.failures,
      // First connect attempt to last SUBACK, in the load generator.
      secondsToConnectAll: Number((summary.durationMs / 1000).toFixed(1)),
      secondsWithLoaderStart: Number(connectS.toFixed(1)),
      connectLatencyMs: summary.connectMs,
      platformCpuSecondsToConnectAll: Number((cpuMs(connectCpu) / 1000).toFixed(1)),
      platformCpuMsPerSignIn: Number((cpuMs(connectCpu) / Math.max(1, summary.connected)).toFixed(2)),
      // Still connected after the idle period, as the broker counts them (drops would show here).
      brokerConnectedAfterIdle: platform.broker?.connectedClients,
      platformRssMbIdle: rssMb,
      platformHeapUsedMb: Math.round(mem.heapUsed / 2 ** 20),
      idleCpuPercentOfOneCore: Number(((cpuMs(idleCpu) / idleWallMs) * 100).toFixed(1)),
      idleSeconds,
      loaderRssMb: summary.loaderRssMb,
      goals: {
        allConnectedWithin60s: failed === 0 && summary.durationMs <= 60_000,
        rssAtMost500Mb: rssMb <= 500,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    if (failed > 0) process.exitCode = 1;
  } finally {
    loader?.kill('SIGTERM');
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (args.load) await runLoader();
else await runBench();

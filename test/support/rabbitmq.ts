import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverPort } from './free-port.ts';

/**
 * A RabbitMQ node of the test's own (the machine's node on 5672 is left alone), with the
 * MQTT, consistent-hash, HTTP-auth and management plugins, in a temporary folder on ports
 * below the ephemeral range, so it comes back on the same ports after a restart.
 */
export interface RabbitNode {
  amqpUrl: string;
  mqttUrl: string;
  managementUrl: string;
  node: string;
  /** The Erlang VM's OS process id (for CPU figures). */
  pid(): number;
  /** SIGKILL: no clean shutdown, what was confirmed must survive on disk. */
  kill(): Promise<void>;
  /** Starts it again on the same data folder and ports. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  close(): Promise<void>;
}

const BIN = '/usr/lib/rabbitmq/bin';

export const rabbitAvailable = () => existsSync(join(BIN, 'rabbitmq-server'));

/**
 * `authHttpBase`: devices authenticate against the platform's hook
 * (…/user, …/vhost, …/resource, …/topic); the internal user `sampletrack` is the
 * service user of the ingest workers and the config publisher.
 */
export async function startRabbit(o: { authHttpBase?: string } = {}): Promise<RabbitNode> {
  const dir = mkdtempSync(join(tmpdir(), 'sampletrack-rabbit-'));
  const [amqpPort, mqttPort, mgmtPort, distPort] = [
    await serverPort(),
    await serverPort(),
    await serverPort(),
    await serverPort(),
  ];
  const node = `st${process.pid}x${amqpPort}@localhost`;
  const conf = [
    `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
    `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
    `management.tcp.port = ${mgmtPort}`,
    `management.tcp.ip = 127.0.0.1`,
    'mqtt.allow_anonymous = false',
    'loopback_users = none',
    'log.console = false',
    'log.file.level = warning',
    // The default 50 MB high watermark of disk is fine; keep memory alarms out of a test's way.
    'vm_memory_high_watermark.relative = 0.6',
    ...(o.authHttpBase
      ? [
          // Sign-ins ask the platform every time (a rotated secret or a disabled tracker is
          // refused at once); permissions, which follow from the user name alone, are cached,
          // or the engine would ask on every publish (measured: one HTTP call per reading).
          'auth_backends.1 = internal',
          'auth_backends.2.authn = http',
          'auth_backends.2.authz = cache',
          'auth_cache.cached_backend = http',
          'auth_cache.cache_ttl = 300000',
          'auth_http.http_method = post',
          `auth_http.user_path = ${o.authHttpBase}/user`,
          `auth_http.vhost_path = ${o.authHttpBase}/vhost`,
          `auth_http.resource_path = ${o.authHttpBase}/resource`,
          `auth_http.topic_path = ${o.authHttpBase}/topic`,
        ]
      : []),
  ].join('\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), conf + '\n');
  writeFileSync(
    join(dir, 'enabled_plugins'),
    '[rabbitmq_mqtt,rabbitmq_consistent_hash_exchange,rabbitmq_auth_backend_http,rabbitmq_auth_backend_cache,rabbitmq_management].\n',
  );
  const env = {
    ...process.env,
    RABBITMQ_CONF_ENV_FILE: '/dev/null',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_BASE: dir,
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) =>
    spawnSync(join(BIN, 'rabbitmqctl'), ['-n', node, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  let proc: ChildProcess | undefined;

  const start = async () => {
    rmSync(join(dir, 'pid'), { force: true });
    proc = spawn(join(BIN, 'rabbitmq-server'), [], { env, stdio: 'ignore', detached: true });
    const waited = ctl('wait', join(dir, 'pid'), '--timeout', '120');
    if (waited.status !== 0) throw new Error(`rabbitmq did not start: ${waited.stderr || waited.stdout}`);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p?.pid) return;
    const exited = new Promise((r) => p.once('exit', r));
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await exited;
  };

  await start();
  // The service user for ingest workers and the platform's own MQTT client.
  ctl('add_user', 'sampletrack', 'sampletrack-secret');
  ctl('set_permissions', '-p', '/', 'sampletrack', '.*', '.*', '.*');
  ctl('set_user_tags', 'sampletrack', 'administrator');
  return {
    amqpUrl: `amqp://sampletrack:sampletrack-secret@127.0.0.1:${amqpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    managementUrl: `http://sampletrack:sampletrack-secret@127.0.0.1:${mgmtPort}`,
    node,
    pid: () => Number(readFileSync(join(dir, 'pid'), 'utf8').trim()),
    kill,
    start,
    close: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

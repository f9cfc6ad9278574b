import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadDotEnv } from '../core/config/dotenv.ts';
import { ConfigError, loadEnv } from '../core/config/env.ts';
import { systemActor } from '../core/domain/auth/principal.ts';
import { UserService } from '../core/services/user.service.ts';
import { createPool } from '../core/storage/database.ts';
import { migrate } from '../core/storage/migrate.ts';
import { openDatabase } from '../platform/database.ts';
import { createLogger } from '../platform/logger.ts';

/**
 * `npm run admin:create -- --email you@example.com [--name "You"] [--password …]`
 * Adds an admin to the platform's database (DATABASE_URL, or the embedded one under
 * DATA_DIR: stop `npm start` first, the embedded server allows one process). Without
 * --password it asks for one, so it stays out of the shell history.
 */
const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
});

async function main(): Promise<void> {
  loadDotEnv();
  const env = loadEnv();
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const email = values.email ?? (await rl.question('Email: '));
  const password = values.password ?? (await rl.question('Password (12+ characters): '));
  rl.close();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('an email is needed (--email)');
  if (password.length < 12) throw new Error('the password needs at least 12 characters');

  const log = createLogger({ ...env, LOG_LEVEL: 'warn' });
  const db = await openDatabase(env, log);
  const pool = createPool(db.url, 2);
  try {
    await migrate(pool);
    const user = await new UserService({ pool }).create(
      { email, name: values.name ?? email.split('@')[0]!, role: 'admin', password },
      systemActor('admin:create'),
    );
    console.log(`Admin ${user.email} created (id ${user.id}). Sign in at ${env.PUBLIC_URL}/login`);
  } finally {
    await pool.end();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});

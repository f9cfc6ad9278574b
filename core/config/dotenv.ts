import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Loads `.env` (KEY=value lines, as `.env.example` documents them) into the environment when
 * the file exists, before it is parsed. A variable already set in the shell wins over the
 * file, as with Node's `--env-file`, so `FOO=1 npm start` always does what it says. Returns
 * whether a file was read.
 */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(path)) return false;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) env[key] ??= value;
  return true;
}

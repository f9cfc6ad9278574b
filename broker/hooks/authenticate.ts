import { createHash } from 'node:crypto';
import type { AuthenticateError, Client } from 'aedes';
import type { AuthResult } from '../../core/services/device.service.ts';
import type { BrokerContext } from '../broker-context.ts';

// MQTT 3.1.1 CONNACK return code 4 / MQTT 5 reason 0x86: bad user name or password.
const BAD_USERNAME_OR_PASSWORD = 4;
// MQTT 3.1.1 CONNACK return code 2: identifier rejected.
const IDENTIFIER_REJECTED = 2;
// A verified secret is remembered this long, so scrypt runs once per device, not per reconnect.
const CACHE_TTL_MS = 10 * 60_000;

function refusal(code: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/**
 * Devices sign in with client id = username = device id and password = device secret
 * (tracker protocol, "Transport and identity").
 */
export function authenticateHook(ctx: BrokerContext) {
  const verified = new Map<string, { digest: string; until: number }>();

  async function check(id: string, secret: string): Promise<AuthResult> {
    const digest = createHash('sha256').update(secret).digest('base64');
    const hit = verified.get(id);
    if (hit && hit.digest === digest && hit.until > Date.now()) return { ok: true };
    const result = await ctx.devices.authenticate(id, secret);
    if (result.ok) verified.set(id, { digest, until: Date.now() + CACHE_TTL_MS });
    else verified.delete(id);
    return result;
  }

  return function authenticate(
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const id = client.id;
    if (!username || username !== id) {
      ctx.refuse('connect', id, 'client id and username must both be the device id');
      return done(refusal(IDENTIFIER_REJECTED, 'client id must equal username'), false);
    }
    if (!password) {
      ctx.refuse('connect', id, 'no password');
      return done(refusal(BAD_USERNAME_OR_PASSWORD, 'password required'), false);
    }
    check(id, password.toString('utf8')).then(
      (result) => {
        if (result.ok) return done(null, true);
        ctx.refuse('connect', id, result.reason);
        done(refusal(BAD_USERNAME_OR_PASSWORD, 'bad device id or secret'), false);
      },
      (err: unknown) => {
        // The device database is unreachable: "server unavailable", so the tracker retries.
        ctx.log.error({ err, deviceId: id }, 'device lookup failed during connect');
        done(refusal(3, 'server unavailable'), false);
      },
    );
  };
}

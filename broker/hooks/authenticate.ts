import { createHash } from 'node:crypto';
import type { AuthenticateError, Client } from 'aedes';
import type { AuthResult } from '../../core/services/device.service.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ConnectLimiter } from '../../core/domain/connect-limiter.ts';
import type { BrokerDeviceSessions } from '../device-sessions.ts';

// MQTT 3.1.1 CONNACK return code 4 / MQTT 5 reason 0x86: bad user name or password.
const BAD_USERNAME_OR_PASSWORD = 4;
// MQTT 3.1.1 CONNACK return code 2: identifier rejected.
const IDENTIFIER_REJECTED = 2;
// MQTT 3.1.1 CONNACK return code 3: server unavailable. 3.1.1 has no "rate exceeded" code
// (MQTT 5's 0x9F); 3 tells a tracker to retry later without suggesting its secret is wrong.
const SERVER_UNAVAILABLE = 3;
// MQTT 3.1.1 CONNACK return code 5: not authorized (a disabled device).
const NOT_AUTHORIZED = 5;

function refusal(code: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/** The peer's address: the connection's own, or the HTTP upgrade request's for WebSockets. */
function remoteAddress(client: Client): string {
  const conn = client.conn as { remoteAddress?: string };
  const req = client.req as { socket?: { remoteAddress?: string } } | undefined;
  return conn.remoteAddress ?? req?.socket?.remoteAddress ?? 'unknown';
}

/**
 * Devices sign in with client id = username = device id and password = device secret
 * (tracker protocol, "Transport and identity").
 *
 * Rate limits (docs/SECURITY.md): every CONNECT counts against its device id (a tracker in
 * a reconnect loop, or two trackers cloned with one id kicking each other out), and every
 * failed sign-in counts against its source IP (guessing secrets). Successful connects do
 * not count per IP, because a fleet behind a carrier NAT shares a few addresses. Once an IP is over its budget, only devices whose secret
 * is still in the verified cache get in from it, so a neighbour's guessing does not lock
 * out the trackers that recently connected.
 */
export function authenticateHook(ctx: BrokerContext, sessions: BrokerDeviceSessions) {
  const perDevice = new ConnectLimiter(ctx.limits?.connectsPerDevicePerMin ?? 0);
  const failuresPerIp = new ConnectLimiter(ctx.limits?.authFailuresPerIpPerMin ?? 0);
  // One log line per key and minute while throttled; the metric counts every refusal.
  const logOnce = new ConnectLimiter(1);

  function throttled(limit: 'device' | 'ip', id: string, ip: string): AuthenticateError {
    ctx.metrics.throttledConnects.inc({ limit });
    ctx.metrics.authFailures.inc({ kind: 'connect' });
    if (logOnce.take(`${limit}:${limit === 'ip' ? ip : id}`, Date.now())) {
      ctx.log.warn(
        { deviceId: id, ip, limit },
        limit === 'ip'
          ? 'too many failed sign-ins from this address; connects refused for a while'
          : 'device connects too often; connects refused for a while',
      );
    }
    return refusal(SERVER_UNAVAILABLE, 'connection rate exceeded');
  }

  async function check(
    id: string,
    secret: string,
    digest: string,
  ): Promise<{ result: AuthResult; generation: number }> {
    for (;;) {
      const generation = sessions.generation(id);
      if (sessions.isVerified(id, digest)) return { result: { ok: true }, generation };
      const result = await ctx.devices.authenticate(id, secret);
      // Rotated or disabled while the check ran: judge again against the new state.
      if (sessions.generation(id) !== generation) continue;
      if (result.ok) sessions.remember(id, digest, generation);
      else sessions.forget(id);
      return { result, generation };
    }
  }

  return function authenticate(
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const id = client.id;
    const ip = remoteAddress(client);
    const now = Date.now();
    const failed = (code: number, message: string, reason: string) => {
      // A disabled tracker retrying showed its right secret, so it is no guess: its own id's
      // budget slows it, without using up the budget of the address it shares.
      if (code !== NOT_AUTHORIZED) failuresPerIp.take(ip, now);
      ctx.refuse('connect', id, reason);
      done(refusal(code, message), false);
    };
    const digest = password ? createHash('sha256').update(password).digest('base64') : '';
    if (!failuresPerIp.allows(ip, now) && !(password && sessions.isVerified(id, digest, now))) {
      return done(throttled('ip', id, ip), false);
    }
    if (!username || username !== id) {
      return failed(
        IDENTIFIER_REJECTED,
        'client id must equal username',
        'client id and username must both be the device id',
      );
    }
    if (!password) return failed(BAD_USERNAME_OR_PASSWORD, 'password required', 'no password');
    if (!perDevice.take(id, now)) return done(throttled('device', id, ip), false);

    check(id, password.toString('utf8'), digest).then(
      ({ result, generation }) => {
        if (result.ok) {
          sessions.signedIn(client, generation);
          return done(null, true);
        }
        if (result.reason === 'disabled') failed(NOT_AUTHORIZED, 'device disabled', result.reason);
        else failed(BAD_USERNAME_OR_PASSWORD, 'bad device id or secret', result.reason);
      },
      (err: unknown) => {
        // The device database is unreachable: "server unavailable", so the tracker retries.
        ctx.log.error({ err, deviceId: id }, 'device lookup failed during connect');
        done(refusal(SERVER_UNAVAILABLE, 'server unavailable'), false);
      },
    );
  };
}

import type { Logger } from '../core/observability/logger.ts';
import type { DeviceSessions } from '../core/services/device.service.ts';

/**
 * Revocation on the partitioned engine: the HTTP auth hook refuses a disabled device or an
 * old secret at its next connect, but RabbitMQ does not ask again for a connection that is
 * already open (it caches a connection's topic permissions), so the connection is closed
 * through the management API (ENGINE_MANAGEMENT_URL). The connection list is refreshed by
 * the engine every few seconds, so the close is tried again once that has passed, for a
 * connection that was signing in while the change committed.
 */
export function engineSessions(o: { managementUrl: string; log: Logger; retryAfterMs?: number }): DeviceSessions & {
  closeConnections(user: string, reason: string): Promise<number>;
} {
  const base = new URL(o.managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const api = (path: string) => new URL(path, base).toString();

  const closeConnections = async (user: string, reason: string): Promise<number> => {
    const res = await fetch(api('/api/connections?columns=name,user'), { headers: { authorization: auth } });
    if (!res.ok) throw new Error(`engine management API answered ${res.status}`);
    const list = (await res.json()) as { name: string; user: string }[];
    let closed = 0;
    for (const c of list.filter((c) => c.user === user)) {
      const del = await fetch(api(`/api/connections/${encodeURIComponent(c.name)}`), {
        method: 'DELETE',
        headers: { authorization: auth, 'x-reason': reason },
      });
      if (del.ok || del.status === 404) closed++;
    }
    return closed;
  };

  return {
    closeConnections,
    revoke(id, reason) {
      const run = () =>
        closeConnections(id, reason).catch((err: unknown) =>
          o.log.error({ err, deviceId: id }, 'closing the device connection on the engine failed'),
        );
      void run();
      setTimeout(run, o.retryAfterMs ?? 6000).unref();
    },
  };
}

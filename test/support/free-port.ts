import { createServer } from 'node:net';

/** A port the OS says is free right now, so tests never depend on fixed ports. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A free port below Linux's ephemeral range (32768–60999), for a server a test stops and
 * starts again on the same port (a database outage, a restart): while it is down, an
 * ephemeral port can be handed to some client's outgoing connection, and the server then
 * comes back unreachable. Measured: a database-outage run under a 10,000-connection load
 * found its PostgreSQL port taken and never caught up.
 */
export async function serverPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

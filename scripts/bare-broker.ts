import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

/**
 * The bench's baseline: bare aedes with no auth, no hooks and no subscribers, so the same
 * load generator measures what the broker alone can take on this machine. Prints its port.
 */
const broker = await Aedes.createBroker({ maxClientsIdLength: 64, concurrency: 10_000 });
const server = createServer(broker.handle);
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});

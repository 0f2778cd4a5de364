// The cluster's front door: what a load balancer in front of the frontends is in production, as a TCP proxy on one
// loopback port. Clients (the SDK's connections of the worker and the API) know one address, TEMPORAL_ADDRESS; each
// connection they open goes to the next frontend in turn, and to the one after when a frontend refuses it (its
// process is dead), so a client whose connection broke with a killed process reconnects to a live one. TCP only:
// gRPC's HTTP/2 streams stay on the connection they started on, as behind a layer-4 load balancer.
import net from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export interface FrontDoorStats {
  /** Connections handed to each backend ("host:port" → count). */
  connections: Record<string, number>;
  /** Connection attempts a backend refused (so the next was tried). */
  refused: number;
  /** Client connections closed because no backend took them. */
  unserved: number;
}

export interface FrontDoor {
  address: string;
  port: number;
  stats: FrontDoorStats;
  close(): Promise<void>;
}

const key = (b: Backend) => `${b.host}:${b.port}`;

export async function startFrontDoor(
  backends: readonly Backend[],
  listen: { host?: string; port?: number } = {},
): Promise<FrontDoor> {
  if (backends.length === 0) throw new Error('the front door needs at least one backend');
  const stats: FrontDoorStats = { connections: {}, refused: 0, unserved: 0 };
  const open = new Set<net.Socket>();
  let next = 0;

  const connectTo = (client: net.Socket, tried: number): void => {
    if (tried >= backends.length || client.destroyed) {
      stats.unserved += 1;
      client.destroy();
      return;
    }
    const backend = backends[next % backends.length]!;
    next += 1;
    const upstream = net.connect({ host: backend.host, port: backend.port });
    open.add(upstream);
    const refused = () => {
      stats.refused += 1;
      upstream.destroy();
      open.delete(upstream);
      connectTo(client, tried + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      stats.connections[key(backend)] = (stats.connections[key(backend)] ?? 0) + 1;
      upstream.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      // Either side gone: the other goes too (the client then reconnects, and gets a live frontend).
      const both = () => {
        client.destroy();
        upstream.destroy();
        open.delete(upstream);
      };
      upstream.on('error', both).on('close', both);
      client.on('error', both).on('close', both);
      client.resume();
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.setNoDelay(true);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    connectTo(client, 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address: host } = server.address() as net.AddressInfo;
  return {
    address: `${host}:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// A TCP pass-through in front of the simulated API server (TLS goes through
// untouched: the certificate is for 127.0.0.1, any port) that can cut every
// open connection at once — what a client sees when a load balancer or the
// API server drops it in the middle of a response: ECONNRESET, not a status.
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";

export interface TcpProxy {
  url: string;
  /** Destroys every open connection (both sides); returns how many there were. */
  dropAll(): number;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    dropAll() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.resetAndDestroy();
        b.destroy();
      }
      return n;
    },
    connections: () => pairs.size,
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: taken with port 0, then given back. For a
 * server that must be told its port (redis-server, Prism), or for a port where nothing listens
 * (a refused connection). Another process may take it in between; tests accept that small window.
 *
 * @example
 * const port = await freePort(); // spawn("redis-server", ["--port", String(port)])
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1, for servers (Prism) that cannot be told to bind port 0 and report it.
 * There is a small window in which another process could take it; on this machine that is acceptable.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

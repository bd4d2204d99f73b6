import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";

/** A TCP server on 127.0.0.1 that accepts every connection and never answers. */
export interface SilentServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a server that accepts connections and says nothing: what a hung proxy or a stuck service
 * looks like to a client, and the case where a client without deadlines waits for minutes.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

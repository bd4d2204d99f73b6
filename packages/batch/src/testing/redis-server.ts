// A real redis-server (Debian's package) for tests and benches: on 127.0.0.1 and a free port, its data in
// a temporary directory with the append-only file on, so it can be stopped and started again with
// its data, as a production Redis with persistence would be.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@psapi/core/testing";

/** A running redis-server, and how to stop and start it again. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: it writes its data and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port.
 *
 * @throws when redis-server is not installed (`apt-get install -y redis-server`; .ci/run does it).
 */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "psapi-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    const process = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--protected-mode",
        "yes",
        "--loglevel",
        "warning",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = process;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
      };
      process.stdout?.on("data", onData);
      process.stderr?.on("data", onData);
      process.once("error", (error) =>
        reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`)),
      );
      process.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
      // Ready once it accepts a connection.
      const poll = async () => {
        for (let i = 0; i < 200; i++) {
          if (process.exitCode !== null) return;
          const ok = await new Promise<boolean>((done) => {
            const socket = connect(port, "127.0.0.1");
            socket.once("connect", () => {
              socket.end();
              done(true);
            });
            socket.once("error", () => done(false));
          });
          if (ok) return resolve();
          await new Promise((next) => setTimeout(next, 50));
        }
        reject(new Error(`redis-server did not accept connections: ${output}`));
      };
      void poll();
    });
  };
  const stop = async () => {
    const process = child;
    child = undefined;
    if (!process || process.exitCode !== null) return;
    const exited = once(process, "exit");
    process.kill("SIGTERM");
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start: launch,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

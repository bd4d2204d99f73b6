import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Fixture } from "./bare-server.js";
import { type ServerProcess, startServer } from "./proc.js";

const libDir = new URL(".", import.meta.url).pathname;

/**
 * Starts the bare `node:http` baseline (`lib/bare-server.ts`) as a pinned child process that
 * answers each fixture's path with its recorded status, headers and body.
 */
export function startBareServer(fixtures: readonly Fixture[]): Promise<ServerProcess> {
  const fixtureFile = join(mkdtempSync(join(tmpdir(), "psapi-bench-")), "fixtures.json");
  writeFileSync(fixtureFile, JSON.stringify(fixtures));
  return startServer({
    name: "bare",
    command: process.execPath,
    args: ["--import", "tsx", join(libDir, "bare-server.ts"), fixtureFile],
    cwd: join(libDir, ".."),
    ready: /listening (\d+)/,
  });
}

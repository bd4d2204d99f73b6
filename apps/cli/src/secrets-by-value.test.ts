import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretForms } from "@psapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
/** The client secret the CLI reads from its environment; every spelling of it fits in a file name. */
const SECRET = "cliSecret-9xQ_7+kz=";
const CLIENT = { clientId: "by-value-cli", clientSecret: SECRET };

let dir: string;
let emulator: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-secrets-"));
  emulator = await serveEmulator({ clients: [CLIENT], jobs: { pendingMs: 0, runningMs: 0 } });
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the CLI scrubs the credentials it holds by value from all it writes", () => {
  it("prints no spelling of the client secret, though input names and an error carry it", {
    timeout: 300_000,
  }, async () => {
    const photos = join(dir, "photos");
    await mkdir(photos, { recursive: true });
    // The secret in an input's name: plain, URL-encoded and base64; and a file that fails, by name.
    const base64 = Buffer.from(SECRET).toString("base64url");
    for (const name of [`a-${SECRET}`, `b-${encodeURIComponent(SECRET)}`, `c-${base64}`]) {
      await copyFile(SAMPLE, join(photos, `${name}.png`));
    }
    await writeFile(join(photos, `d-${SECRET}.png`), "not a PNG");
    const env = cleanEnv({ PHOTOSHOP_CLIENT_ID: CLIENT.clientId, PHOTOSHOP_CLIENT_SECRET: SECRET });
    const written: string[] = [];
    for (const json of [[], ["--json"]]) {
      const result = await runCli(
        ["batch", photos, "--op", "mask", "--base-url", emulator.url, "--retry-failed", ...json],
        { cwd: dir, env },
      );
      written.push(result.stdout, result.stderr);
      expect(result.stderr).toContain("[REDACTED]");
    }
    const journal = await readFile(join(dir, "out/batch/journal.jsonl"), "utf8");
    const reportText = await readFile(join(dir, "out/batch/report.json"), "utf8");
    written.push(journal, reportText);
    const report = JSON.parse(reportText) as { total: number; succeeded: number; inputs: { key: string }[] };
    // Every input ran (the scrubbed keys still tell them apart), and the report names them redacted.
    expect(report.total).toBe(4);
    expect(report.succeeded).toBe(3);
    expect(report.inputs.filter((input) => input.key.includes("[REDACTED]"))).toHaveLength(4);
    const all = written.join("\n");
    expect(secretForms(SECRET).filter((form) => all.includes(form))).toEqual([]);
  });
});

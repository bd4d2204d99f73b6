import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretForms } from "@psapi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
/**
 * The client secret the CLI reads from its environment: a quote and a backslash (JSON escapes them),
 * `+` and `=` (URL encoding does); every spelling of it fits in a file name.
 */
const SECRET = 'cliSecret-9x"Q_7\\+kz=';
/** A CSV cell holding `value`, quoted as CSV quotes a quote. */
const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;
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
    // A CSV manifest whose `id` column (the journal key) holds the secret, for an input that exists
    // and one that does not (its error quotes the URL).
    await writeFile(
      join(dir, "rows.csv"),
      `input,id\n${cell(`photos/a-${SECRET}.png`)},${cell(`row-${SECRET}`)}\n` +
        `${emulator.url}/missing/${encodeURIComponent(SECRET)}.png,${cell(`gone-${SECRET}`)}\n`,
    );
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
    const csv = await runCli(
      ["batch", "rows.csv", "--op", "mask", "--base-url", emulator.url, "--out", "out/csv", "--json"],
      { cwd: dir, env },
    );
    const csvReport = await readFile(join(dir, "out/csv/report.json"), "utf8");
    written.push(
      csv.stdout,
      csv.stderr,
      await readFile(join(dir, "out/csv/journal.jsonl"), "utf8"),
      csvReport,
    );
    expect(JSON.parse(csvReport), csv.stderr).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
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

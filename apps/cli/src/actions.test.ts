import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { runCli } from "./testing/run-cli.js";
import { type ServedEmulator, serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const DEMO = { PHOTOSHOP_CLIENT_ID: "psapi-demo-client", PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret" };

let dir: string;
/** Answers the runs that reach an emulator and holds each answer against the spec (closing it fails otherwise). */
let emulator: ServedEmulator;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-actions-"));
  emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 0 } }, { checkSpec: true });
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs psapi against the spec-checked emulator. */
const onEmulator = (args: readonly string[], options: { cwd?: string } = {}) =>
  runCli([...args, "--base-url", emulator.url], { ...options, env: DEMO });

/** The lines of stderr that report an error: a refusal is one. */
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("error:"));

// `psapi actions` on a served emulator that checks its every answer against the spec.
describe.concurrent("psapi actions (served emulator, answers checked against the spec)", () => {
  it("plays inline ActionJSON and writes out/<name>-actions.png, --json giving the job and the file", async () => {
    const cwd = await mkdtemp(join(dir, "inline-"));
    const steps = [
      { _obj: "invert" },
      { _obj: "imageSize", width: { _unit: "percentUnit", _value: 50 }, constrainProportions: true },
    ];
    const result = await onEmulator(["actions", SAMPLE, "--actions", JSON.stringify(steps), "--json"], {
      cwd,
    });
    expect(result.stderr).toBe(`target: ${emulator.url}\n`);
    expect(result.code).toBe(0);
    expect(pngSize(await readFile(join(cwd, "out", "coffee-actions.png")))).toEqual({
      width: 300,
      height: 200,
    });
    const data = JSON.parse(result.stdout) as { output: { mediaType: string }; job: { statusUrl: string } };
    expect(data.output.mediaType).toBe("image/png");
    expect(data.job.statusUrl).toMatch(/\/v2\/status\/\S+$/);
  });

  it("reads the ActionJSON from a file and writes a PSD", async () => {
    const file = join(dir, "steps.json");
    await writeFile(
      file,
      JSON.stringify([{ _obj: "flip", _target: [{ _ref: "document" }], axis: "vertical" }]),
    );
    const out = join(dir, "flipped.psd");
    const result = await onEmulator(["actions", SAMPLE, "--actions", file, "--type", "psd", "--out", out]);
    expect(result.code).toBe(0);
    expect((await readFile(out)).subarray(0, 4).toString("latin1")).toBe("8BPS");
  });

  it("a command the emulator does not play: exit 1, one line naming it and its index", async () => {
    const result = await onEmulator([
      "actions",
      SAMPLE,
      "--actions",
      '[{"_obj":"invert"},{"_obj":"autoCutout","sampleAllLayers":false}]',
      "--out",
      join(dir, "never.png"),
    ]);
    expect(result.code).toBe(1);
    const [line, ...more] = errorLines(result.stderr);
    expect(more).toEqual([]);
    expect(line).toContain("emulator_unsupported_action");
    expect(line).toContain("'autoCutout' at index 1");
    expect(result.stderr).toContain("hint: the offline emulator plays a subset of ActionJSON");
  });

  it("ActionJSON of the wrong shape is a usage error (exit 2) before anything is sent", async () => {
    const noObj = await runCli(["actions", SAMPLE, "--actions", '[{"_obj":"invert"},{"name":"x"}]']);
    expect(noObj.code).toBe(2);
    expect(noObj.stderr).toContain('command 1 has no "_obj"');
    const notJson = await runCli(["actions", SAMPLE, "--actions", "[{"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("--actions: not valid JSON");
    const missing = await runCli(["actions", SAMPLE, "--actions", join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the file");
  });

  it("an .atn action set: the job fails with emulator_unsupported_action, in one line naming the file (exit 1)", async () => {
    const set = join(dir, "web.atn");
    // The emulator refuses any .atn set before it reads it: the bytes need not be a real set.
    await writeFile(set, "8BAD not an action set");
    const result = await onEmulator(["actions", SAMPLE, "--actions", set, "--out", join(dir, "atn.png")]);
    expect(result.code).toBe(1);
    const [line, ...more] = errorLines(result.stderr);
    expect(more).toEqual([]);
    expect(line).toMatch(
      /^error: job \S+ failed \(emulator_unsupported_action: the action file at \/options\/actions\/0\/source is not played: the offline emulator has no player for \.atn action sets/,
    );
  });

  it("ActionJSON over the API's 51,200 characters is a usage error (exit 2) in one line naming the limit", async () => {
    const steps: unknown[] = [];
    while (JSON.stringify(steps).length <= 51_200) steps.push({ _obj: "invert" });
    const file = join(dir, "long.json");
    await writeFile(file, JSON.stringify(steps));
    const result = await runCli(["actions", SAMPLE, "--actions", file]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([
      `error: --actions ${file}: ${JSON.stringify(steps).length} characters of ActionJSON; the API takes at most 51200 per action`,
    ]);
  });

  it("without <input>: a usage error (exit 2) in one line", async () => {
    const result = await runCli(["actions", "--actions", '[{"_obj":"invert"}]']);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual(["error: missing <input>: a local file or an https URL"]);
  });
});

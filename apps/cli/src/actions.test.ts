import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { runCli } from "./testing/run-cli.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-actions-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// `psapi actions` on the embedded emulator: each test runs its own subprocess.
describe.concurrent("psapi actions (embedded emulator)", () => {
  it("plays inline ActionJSON and writes out/<name>-actions.png, --json giving the job and the file", async () => {
    const cwd = await mkdtemp(join(dir, "inline-"));
    const steps = [
      { _obj: "invert" },
      { _obj: "imageSize", width: { _unit: "percentUnit", _value: 50 }, constrainProportions: true },
    ];
    const result = await runCli(["actions", SAMPLE, "--actions", JSON.stringify(steps), "--json"], { cwd });
    expect(result.stderr).toBe("target: embedded emulator\n");
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
    const result = await runCli(["actions", SAMPLE, "--actions", file, "--type", "psd", "--out", out]);
    expect(result.code).toBe(0);
    expect((await readFile(out)).subarray(0, 4).toString("latin1")).toBe("8BPS");
  });

  it("a command the emulator does not play: exit 1, one line naming it and its index", async () => {
    const result = await runCli([
      "actions",
      SAMPLE,
      "--actions",
      '[{"_obj":"invert"},{"_obj":"autoCutout","sampleAllLayers":false}]',
      "--out",
      join(dir, "never.png"),
    ]);
    expect(result.code).toBe(1);
    const [line] = result.stderr.split("\n").filter((l) => l.startsWith("error:"));
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
});

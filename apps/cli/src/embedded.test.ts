import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "./display.js";
import { exitCodePage } from "./docs-url.js";
import { runCli, startCli } from "./testing/run-cli.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const STACK_FRAME = /^\s+at /m;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Every test runs its own subprocess and writes its own files: they run side by side, since most of
// a run is spent waiting for the emulator's job timing, not computing.
describe.concurrent("psapi without credentials (embedded emulator)", () => {
  it("says on its first line that it uses the embedded emulator, and hello answers", async () => {
    const result = await runCli(["hello"]);
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe("target: embedded emulator");
    expect(result.stdout).toBe("Welcome to the Photoshop API!\n");
  });

  it("goes on when the reader of stderr has gone, instead of dying on EPIPE", async () => {
    const run = startCli(["hello"]);
    run.child.stderr?.destroy();
    const result = await run.done;
    expect(result.stdout).toBe("Welcome to the Photoshop API!\n");
    expect(result.code).toBe(0);
  });

  it("mask --json writes a greyscale PNG of the photo's size to --out, reports its bytes, and draws no progress when piped", async () => {
    const out = join(dir, "json-mask.png");
    const result = await runCli(["mask", SAMPLE, "--out", out, "--format", "binary", "--json"]);
    // stderr is a pipe here, not a terminal: the target line and nothing else (no progress line).
    expect(result.stderr).toBe("target: embedded emulator\n");
    expect(result.code).toBe(0);
    const png = await readFile(out);
    expect(pngSize(png)).toEqual({ width: 600, height: 400 });
    expect(png[25]).toBe(0); // colour type 0: a greyscale mask
    const data = JSON.parse(result.stdout) as {
      ok: boolean;
      output: { path: string; bytes: number; width: number };
      job: { id: string; statusUrl: string };
    };
    expect(data).toMatchObject({ ok: true, output: { path: out, bytes: png.byteLength, width: 600 } });
    expect(data.job.statusUrl).toMatch(/\/sensei\/status\/\S+$/);
  });

  it("cutout writes an RGBA PNG of the subject to out/<name>-cutout.png under the current directory", async () => {
    const cwd = await mkdtemp(join(dir, "cutout-"));
    const result = await runCli(["cutout", SAMPLE], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote out\/coffee-cutout\.png \(PNG 600×400, [\d.]+ KB\)\n$/);
    const png = await readFile(join(cwd, "out", "coffee-cutout.png"));
    expect(pngSize(png)).toEqual({ width: 600, height: 400 });
    expect(png[25]).toBe(6); // colour type 6: RGB with alpha
  });

  it("manifest prints the document's size and layers from generate-manifest (v2 layer types)", async () => {
    const result = await runCli(["manifest", SAMPLE]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "coffee.png: 600×400, rgb, 8-bit\n  Background (background_layer) 600×400 at 0,0\n",
    );
  });

  it("manifest --legacy still reads the retired documentManifest on an emulator", async () => {
    const result = await runCli(["manifest", SAMPLE, "--legacy"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "coffee.png: 600×400, rgb, 8-bit\n  Background (backgroundLayer) 600×400 at 0,0\n",
    );
  });

  // `--legacy`: this test pins the seed's create-mask narration; the default (remove-background
  // --mode mask) is tested in current.test.ts.
  it("quickstart stays offline with credentials set, narrates its five steps and writes out/coffee-mask.png under INIT_CWD, where pnpm was started", async () => {
    const caller = await mkdtemp(join(dir, "caller-"));
    const elsewhere = await mkdtemp(join(dir, "package-"));
    // Credentials in the environment do not take the quickstart online; its first line says so.
    const env = {
      INIT_CWD: caller,
      PHOTOSHOP_CLIENT_ID: "some-client",
      PHOTOSHOP_CLIENT_SECRET: "some-secret",
    };
    const result = await runCli(["quickstart", "--legacy"], { cwd: elsewhere, env });
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(
      "target: embedded emulator (offline; the credentials in the environment are not used)",
    );
    expect(result.stderr).toMatch(
      /\[1\/5\] token: .*\n\[2\/5\] uploaded coffee\.png.*\n\[3\/5\] createMask: job .* accepted\n\[4\/5\] job .* succeeded/,
    );
    expect(result.stdout).toMatch(/^\[5\/5\] wrote out\/coffee-mask\.png \(PNG 600×400, /);
    expect(pngSize(await readFile(join(caller, "out", "coffee-mask.png")))).toEqual({
      width: 600,
      height: 400,
    });
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it("refuses an https input, since the embedded emulator stays offline, and says how to allow it", async () => {
    const result = await runCli(["mask", "https://example.com/cat.png"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the embedded emulator does not download from example\.com$/m);
    expect(result.stderr).toMatch(/^hint: .*psapi emulator --allow-host example\.com/m);
  });

  it("refuses an --output-url, which the offline embedded emulator cannot upload to, before sending anything", async () => {
    const result = await runCli(["cutout", SAMPLE, "--output-url", "https://example.com/o.png?sig=x"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the embedded emulator does not upload to example\.com$/m);
    expect(result.stderr).toMatch(/^hint: leave out --output-url to get the result in --out/m);
  });

  it("status refuses to look up a job on the embedded emulator, which keeps no jobs between runs", async () => {
    const result = await runCli(["status", "http://127.0.0.1:4010/sensei/status/abc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("embedded emulator starts empty");
  });
});

describe.concurrent("usage errors", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "a missing input file",
      ["mask", "no-such-file.png"],
      /^error: <input> no-such-file\.png: no such file$/m,
    ],
    ["an unknown option", ["hello", "--nope"], /^error: unknown option '--nope'$/m],
    ["an invalid number", ["mask", SAMPLE, "--timeout", "soon"], /argument 'soon' is invalid/],
    [
      "a plain-http URL to another host, quoted without its signature",
      ["mask", "http://example.com/a.png?X-Amz-Signature=s3cr3t"],
      /^error: <input> http:\/\/example\.com\/a\.png\?\[REDACTED\]: expected an https:\/\/ URL/m,
    ],
    [
      "a plain-http --input-url, quoted without its signature",
      ["cutout", "--input-url", "http://example.com/a.png?sig=s3cr3t&expires=1"],
      /^error: option '--input-url <url>' argument 'http:\/\/example\.com\/a\.png\?\[REDACTED\]' is invalid/m,
    ],
    ["an invalid mask format", ["mask", SAMPLE, "--format", "fuzzy"], /argument 'fuzzy' is invalid/],
    [
      "both <input> and --input-url",
      ["mask", SAMPLE, "--input-url", "https://example.com/a.png"],
      /either <input> or --input-url/,
    ],
    [
      "--out with --output-url",
      ["mask", SAMPLE, "--out", "a.png", "--output-url", "https://example.com/o.png"],
      /cannot be used with/,
    ],
    ["an unknown command", ["paint"], /^error: unknown command 'paint'$/m],
  ];
  it.each(cases)(
    "exits 2 with one error line, a hint and no stack trace for %s",
    async (_name, args, message) => {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines.filter((line) => line.startsWith("error: "))).toHaveLength(1);
      expect(lines.at(-2)).toMatch(/^hint: /);
      expect(lines.at(-1)).toBe(`docs: ${exitCodePage(2)}`);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    },
  );

  it("token says the embedded emulator issued it, and --show refuses to print a token no API accepts", async () => {
    const token = await runCli(["token"]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^issuer: {2}embedded emulator$/m);
    const shown = await runCli(["token", "--show", "--json"]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).not.toMatch(/"token"/);
    expect(shown.stderr).toMatch(/^error: refusing to print a token of the embedded emulator/m);
  });

  it("--out that is a directory is refused before any work starts", async () => {
    const result = await runCli(["mask", SAMPLE, "--out", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is a directory");
  });

  it("--json reports a usage error as JSON on stdout too", async () => {
    const result = await runCli(["mask", "no-such-file.png", "--json"]);
    expect(result.code).toBe(2);
    const data = JSON.parse(result.stdout) as { ok: boolean; error: { exitCode: number; message: string } };
    expect(data).toMatchObject({ ok: false, error: { exitCode: 2 } });
  });

  it("--help works on every command and exits 0", async () => {
    const commands = [
      ...["token", "hello", "mask", "cutout", "manifest", "status", "emulator", "quickstart"],
      ...["remove-background", "mask-objects", "fill"],
    ];
    const results = await Promise.all(commands.map((command) => runCli([command, "--help"])));
    for (const [index, command] of commands.entries()) {
      expect(results[index]?.code, command).toBe(0);
      expect(results[index]?.stdout, command).toContain(`Usage: psapi ${command}`);
    }
  });

  it("psapi help <command> prints that command's help and exits 0", async () => {
    const result = await runCli(["help", "status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: psapi status");
  });

  it("bare psapi prints the help to stderr and exits 2", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: psapi");
    expect(result.stderr).toContain("Exit codes:");
  });
});

describe.concurrent("the real API (credentials set, nothing sent)", () => {
  const adobe = { PHOTOSHOP_CLIENT_ID: "some-client", PHOTOSHOP_CLIENT_SECRET: "some-secret" };

  it("says it targets Adobe and refuses a local file, which the API cannot read", async () => {
    const result = await runCli(["mask", SAMPLE, "--output-url", "https://example.com/out.png"], {
      env: adobe,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("target: Adobe Photoshop API (https://image.adobe.io)");
    expect(result.stderr).toMatch(/^error: the Photoshop API cannot read a local file \(coffee\.png\)/m);
    expect(result.stderr).toMatch(/^hint: .*--input-url/m);
  });

  it("asks for --output-url when the result would have nowhere to go", async () => {
    const result = await runCli(["mask", "https://example.com/cat.png"], { env: adobe });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hint: pass a pre-signed PUT URL with --output-url$/m);
  });

  it("names the missing variable when the credentials are incomplete", async () => {
    const result = await runCli(["hello"], { env: { PHOTOSHOP_CLIENT_ID: "some-client" } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: PHOTOSHOP_CLIENT_ID is set but PHOTOSHOP_CLIENT_SECRET is not/m);
    expect(result.stderr).toMatch(/^hint: set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET/m);
  });

  it("takes every credential variable auth reads as a wish to call Adobe, PS_FF_SERVICES_ACCESS_TOKEN included", async () => {
    // With the CLI's own list, which lacked this name, the command ran on the embedded emulator.
    const result = await runCli(["hello"], { env: { PS_FF_SERVICES_ACCESS_TOKEN: "some-token" } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error: PS_FF_SERVICES_ACCESS_TOKEN is set but PS_FF_SERVICES_CLIENT_ID is not/m,
    );
  });
});

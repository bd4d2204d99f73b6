import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@psapi/core/testing";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "./testing/run-cli.js";
import { serveEmulator } from "./testing/serve-emulator.js";

const SAMPLE = new URL("../assets/coffee.png", import.meta.url).pathname;
const CREDENTIALS = {
  PHOTOSHOP_CLIENT_ID: "psapi-demo-client",
  PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret",
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cli-batch-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folder(name: string, count: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (let i = 0; i < count; i++)
    await copyFile(SAMPLE, join(path, `photo-${String(i).padStart(3, "0")}.png`));
  return path;
}

interface Report {
  total: number;
  succeeded: number;
  failed: number;
  earlierRun: number;
  inDoubt: number;
  inputs: {
    key: string;
    status: string;
    attempts: number;
    error?: string;
    jobId?: string;
    inDoubt?: number;
  }[];
}

// Each test starts one or two CLI processes that run many jobs: on a loaded 2-core machine that can take
// a minute, so the timeout is generous; nothing here compares a duration.
const SLOW = { timeout: 300_000 };

describe.concurrent("psapi batch", () => {
  it(
    "runs a folder on the embedded emulator, writes every result and the report, and a second run does nothing",
    SLOW,
    async () => {
      const cwd = await mkdtemp(join(dir, "embedded-"));
      await folder("embedded-photos", 8);
      const first = await runCli(["batch", join(dir, "embedded-photos"), "--op", "mask"], { cwd });
      expect(first.stderr).toContain("target: embedded emulator");
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /^mask: 8 of 8 succeeded, 0 failed in [\d.]+ s\nreport: out\/batch\/report\.json\n$/,
      );
      const report = JSON.parse(await readFile(join(cwd, "out/batch/report.json"), "utf8")) as Report;
      expect(report).toMatchObject({ total: 8, succeeded: 8, failed: 0 });
      for (const input of report.inputs) expect(input).toMatchObject({ status: "succeeded", attempts: 1 });
      const mask = await readFile(join(cwd, "out/batch/photo-000-mask.png"));
      expect(mask.subarray(1, 4).toString()).toBe("PNG");
      // stderr is a pipe: plain lines, one per input.
      expect(first.stderr.match(/^\[\d+\/8\] ok /gm)).toHaveLength(8);

      const second = await runCli(["batch", join(dir, "embedded-photos"), "--op", "mask", "--json"], { cwd });
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, succeeded: 8, earlierRun: 8 });
    },
  );

  it(
    "runs the current contract's operations on the embedded emulator and downloads their hosted results",
    SLOW,
    async () => {
      const cwd = await mkdtemp(join(dir, "current-"));
      const photos = await folder("current-photos", 2);
      const psd = await runCli(["batch", photos, "--op", "remove-background-psd"], { cwd });
      expect(psd.code).toBe(0);
      expect(psd.stdout).toMatch(/^remove-background-psd: 2 of 2 succeeded, 0 failed/);
      const layers = await readFile(join(cwd, "out/batch/photo-001-layers.psd"));
      expect(layers.subarray(0, 4).toString()).toBe("8BPS");

      const masks = await runCli(["batch", photos, "--op", "mask-objects", "--out", "out/objects"], { cwd });
      expect(masks.code).toBe(0);
      expect(masks.stdout).toMatch(/^mask-objects: 2 of 2 succeeded, 0 failed/);
      const { readdir } = await import("node:fs/promises");
      const files = await readdir(join(cwd, "out/objects/photo-000-masks"));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(file).toMatch(/^\d+-[a-z0-9-]+\.png$/);
    },
  );

  it(
    "killed with SIGKILL mid-run, finishes on the next run without sending a finished or accepted input again",
    SLOW,
    async () => {
      const emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 400 } });
      try {
        const cwd = await mkdtemp(join(dir, "kill-"));
        const photos = await folder("kill-photos", 20);
        const args = ["batch", photos, "--op", "cutout", "--base-url", emulator.url, "--concurrency", "4"];
        const run = startCli(args, { cwd, env: CREDENTIALS });
        const journal = join(cwd, "out/batch/journal.jsonl");
        // Kill once some inputs are done and others in flight: never on a fixed delay.
        for (;;) {
          const text = await readFile(journal, "utf8").catch(() => "");
          if ((text.match(/"succeeded"/g) ?? []).length >= 5) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        run.child.kill("SIGKILL");
        expect((await run.done).signal).toBe("SIGKILL");
        const second = await runCli(args, { cwd, env: CREDENTIALS });
        expect(second.code).toBe(0);
        const report = JSON.parse(await readFile(join(cwd, "out/batch/report.json"), "utf8")) as Report;
        expect(report).toMatchObject({ total: 20, succeeded: 20, failed: 0 });
        expect(report.earlierRun).toBeGreaterThanOrEqual(5);
        // One accepted job per input, save a submission the kill left in doubt (recorded as about to be
        // sent, its answer never recorded), which may or may not have reached the emulator.
        const posts = emulator.requests.filter((line) => line === "POST /sensei/cutout");
        expect(posts.length).toBeGreaterThanOrEqual(20);
        expect(posts.length).toBeLessThanOrEqual(20 + report.inDoubt);
        expect(report.inDoubt).toBeLessThanOrEqual(4);
      } finally {
        await emulator.close();
      }
    },
  );

  it(
    "a 50-row template batch killed with SIGKILL midway, run again: 50 renditions, each row succeeded once, none resubmitted unless in doubt, no 429",
    SLOW,
    async () => {
      // Adobe's rate windows on the emulator (every POST 16 per 3 s …), the client's own limits on.
      // A journal long enough for every request of both runs: each accepted POST is read back from it.
      const emulator = await serveEmulator({
        jobs: { pendingMs: 0, runningMs: 200 },
        rateLimits: true,
        limits: { maxJournalEntries: 100_000 },
      });
      try {
        const cwd = await mkdtemp(join(dir, "template-kill-"));
        const rows = Array.from(
          { length: 50 },
          (_, i) => `row${String(i).padStart(2, "0")},${SAMPLE},${i * 8}`,
        );
        await writeFile(join(cwd, "rows.csv"), `id,photo,x\n${rows.join("\n")}\n`);
        await writeFile(
          join(cwd, "edits.json"),
          JSON.stringify({
            layers: [
              {
                type: "layer",
                name: "{{id}}",
                operation: { type: "add", placement: { type: "top" } },
                image: { source: { url: "{{photo}}" } },
                transformMode: "custom",
                transform: {
                  offset: { horizontal: "{{x|number}}", vertical: 10 },
                  dimension: { width: 60, height: 40 },
                },
              },
            ],
          }),
        );
        const args = [
          "batch",
          "rows.csv",
          "--op",
          "composite",
          "--template",
          SAMPLE,
          "--edits",
          "edits.json",
          "--type",
          "jpeg",
          "--base-url",
          emulator.url,
          "--concurrency",
          "8",
        ];
        const run = startCli(args, { cwd, env: CREDENTIALS });
        const journal = join(cwd, "out/batch/journal.jsonl");
        for (;;) {
          const text = await readFile(journal, "utf8").catch(() => "");
          if ((text.match(/"succeeded"/g) ?? []).length >= 12) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        run.child.kill("SIGKILL");
        expect((await run.done).signal).toBe("SIGKILL");
        const second = await runCli(args, { cwd, env: CREDENTIALS });
        expect(second.code).toBe(0);
        const report = JSON.parse(await readFile(join(cwd, "out/batch/report.json"), "utf8")) as Report;
        expect(report).toMatchObject({ total: 50, succeeded: 50, failed: 0 });
        expect(report.earlierRun).toBeGreaterThanOrEqual(12);
        const keys = rows.map((row) => row.split(",")[0] as string);
        // 50 files, one per row, beside the journal and the report. A download the kill cut short
        // leaves its temporary file (`<file>.<uuid>.partial`, never a rendition's name) behind.
        const { readdir } = await import("node:fs/promises");
        const files = await readdir(join(cwd, "out/batch"));
        const partial = /^(row\d\d-composite\.jpg)\.[0-9a-f-]{36}\.partial$/;
        expect(files.filter((name) => !partial.test(name)).sort()).toEqual(
          [...keys.map((key) => `${key}-composite.jpg`), "journal.jsonl", "report.json"].sort(),
        );
        // The journal of both runs: exactly one `succeeded` per row.
        const events = (await readFile(journal, "utf8"))
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => JSON.parse(line) as { event: string; key?: string });
        const succeeded = events.filter((entry) => entry.event === "succeeded").map((entry) => entry.key);
        expect(succeeded.sort()).toEqual([...keys].sort());
        // Each accepted create-composite, by the row it rendered (the layer is named after the row's
        // id): one per row, and a second only for a row whose submission the kill left in doubt
        // (sent, its answer never journaled), which may or may not have reached the emulator. So
        // the total is at most 50 + inDoubt, not equal to it.
        const control = createEmulatorControl({ baseUrl: emulator.url });
        const posts = await control.journal({ method: "POST", path: "/v2/create-composite", status: 202 });
        const acceptedFor = new Map<string, number>();
        for (const post of posts) {
          const body = JSON.parse(post.request?.body ?? "{}") as { edits?: { layers?: { name?: string }[] } };
          const key = body.edits?.layers?.[0]?.name ?? "?";
          acceptedFor.set(key, (acceptedFor.get(key) ?? 0) + 1);
        }
        expect([...acceptedFor.keys()].sort()).toEqual([...keys].sort());
        for (const input of report.inputs) {
          const count = acceptedFor.get(input.key) ?? 0;
          expect(count, input.key).toBeGreaterThanOrEqual(1);
          expect(count, input.key).toBeLessThanOrEqual(1 + (input.inDoubt ?? 0));
        }
        const accepted = emulator.answers.filter(
          (answer) => answer.request === "POST /v2/create-composite" && answer.status === 202,
        );
        expect(accepted).toHaveLength(posts.length);
        expect(accepted.length).toBeLessThanOrEqual(50 + report.inDoubt);
        expect(report.inDoubt).toBeLessThanOrEqual(8);
        expect(emulator.answers.filter((answer) => answer.status === 429)).toEqual([]);
      } finally {
        await emulator.close();
      }
    },
  );

  it("reports an input that keeps failing after --max-attempts, and exits 1", SLOW, async () => {
    const cwd = await mkdtemp(join(dir, "failing-"));
    const photos = await folder("failing-photos", 2);
    await writeFile(join(photos, "broken.png"), "not a picture");
    const result = await runCli(["batch", photos, "--op", "mask", "--max-attempts", "2"], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: 1 of 3 inputs failed \(first: broken\.png: /);
    const report = JSON.parse(await readFile(join(cwd, "out/batch/report.json"), "utf8")) as Report;
    expect(report).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    expect(report.inputs.find((input) => input.key === "broken.png")).toMatchObject({
      status: "failed",
      attempts: 2,
    });
  });

  it(
    "refuses a template CSV with a duplicate id or without a column the edits use, in one line from the error's fields, with exit code 2",
    SLOW,
    async () => {
      const cwd = await mkdtemp(join(dir, "template-csv-"));
      await writeFile(
        join(cwd, "edits.json"),
        JSON.stringify({
          layers: [{ type: "layer", name: "{{id}}", image: { source: { url: "{{photo}}" } } }],
        }),
      );
      const run = (csv: string) =>
        runCli(["batch", csv, "--op", "composite", "--template", SAMPLE, "--edits", "edits.json"], { cwd });
      await writeFile(join(cwd, "twice.csv"), `id,photo\na,${SAMPLE}\na,${SAMPLE}\n`);
      await writeFile(join(cwd, "short.csv"), "id,picture\na,b.png\n");
      const twice = await run("twice.csv");
      const short = await run("short.csv");
      // The BatchError's `problem`, not its message: no "[@psapi/batch]" in front.
      expect(twice.stderr.split("\n")[0]).toBe(
        `error: ${join(cwd, "twice.csv")} row 2: the id a is used twice`,
      );
      expect(twice.code).toBe(2);
      expect(short.stderr.split("\n")[0]).toBe(
        `error: ${join(cwd, "short.csv")}: the edits use {{photo}}, which the header does not have (it has id, picture)`,
      );
      expect(short.code).toBe(2);
      for (const result of [twice, short]) expect(result.stderr).not.toContain("[@psapi/");
    },
  );

  it("refuses an unknown operation and an input that names nothing, with exit code 2", SLOW, async () => {
    const unknown = await runCli(["batch", dir, "--op", "sharpen"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown --op sharpen/);
    const none = await runCli(["batch", join(dir, "nothing-here/*.png"), "--op", "mask"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/names no input/);
  });
});

describe.concurrent("psapi batch --queue, before anything is queued", () => {
  it("refuses a --batch-id BullMQ cannot take, with exit code 2, before reaching Redis", SLOW, async () => {
    const photos = await folder("queue-id-photos", 1);
    const queue = `redis://127.0.0.1:${await freePort()}`;
    const result = await runCli([
      "batch",
      photos,
      "--op",
      "mask",
      "--queue",
      queue,
      "--batch-id",
      "run:2024",
    ]);
    expect(result.stderr).toMatch(/--batch-id "run:2024" is not 1 to 64 letters, digits/);
    expect(result.code).toBe(2);
  });

  it(
    "fails with exit code 4 naming the host when Redis cannot be reached, for --status and for queuing",
    SLOW,
    async () => {
      const photos = await folder("queue-down-photos", 1);
      const port = await freePort();
      const queue = `redis://:s3cret@127.0.0.1:${port}`;
      for (const extra of [["--status"], []]) {
        const result = await runCli(["batch", photos, "--op", "mask", "--queue", queue, ...extra]);
        expect(result.stderr).toContain(`error: cannot reach Redis at 127.0.0.1:${port}: ECONNREFUSED`);
        expect(result.stderr).not.toContain("s3cret");
        expect(result.code).toBe(4);
      }
    },
  );

  it("does not print the password of a mistyped --queue URL", SLOW, async () => {
    const result = await runCli(["batch", dir, "--op", "mask", "--queue", "redi://:s3cret@127.0.0.1:6379"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'redi://[REDACTED]@127.0.0.1:6379' is invalid");
    expect(result.stderr).not.toContain("s3cret");
  });
});

describe("psapi worker", () => {
  it(
    "prints what batch logs as the worker's own lines: a lost Redis is one warning line with no package name",
    SLOW,
    async () => {
      const { startRedisServer } = await import("@psapi/batch/testing");
      const redis = await startRedisServer();
      const emulator = await serveEmulator();
      const worker = startCli(["worker", "--queue", redis.url, "--base-url", emulator.url], {
        env: CREDENTIALS,
      });
      const until = async (pattern: RegExp) => {
        while (!pattern.test(worker.output())) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      try {
        await until(/worker: taking inputs/);
        await redis.stop();
        // BullMQ's worker reports the lost connection; batch logs it with `source: "@psapi/batch"`.
        await until(/lost Redis/);
        expect(worker.stderr()).toMatch(/^warning: worker lost Redis; it goes on once Redis is back$/m);
        expect(worker.output()).not.toContain("[@psapi/");
      } finally {
        worker.child.kill("SIGKILL");
        await worker.done;
        await redis.destroy();
        await emulator.close();
      }
    },
  );
});

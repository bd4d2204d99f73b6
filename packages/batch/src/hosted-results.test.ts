import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downloadHostedResult, HostedResultError, maskFileName } from "./hosted-results.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-hosted-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

const SIGNED = "https://results.example.com/out/cat.png?sig=secret123&se=2030";

describe("downloadHostedResult", () => {
  it("writes the bytes, creating the folder, and sends no credentials", async () => {
    const seen: Request[] = [];
    const fetch = async (request: Request) => {
      seen.push(request);
      return new Response(new Uint8Array([1, 2, 3]));
    };
    const path = join(dir, "a", "b", "cat.png");
    const bytes = await downloadHostedResult(SIGNED, path, { fetch });
    expect([...bytes]).toEqual([1, 2, 3]);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(
      seen.map((request) => [request.method, request.url, request.headers.get("authorization")]),
    ).toEqual([["GET", SIGNED, null]]);
  });

  it("fails on a non-2xx answer with the status and the URL without its signature, writing nothing", async () => {
    const path = join(dir, "cat.png");
    const error = await downloadHostedResult(SIGNED, path, {
      fetch: async () => new Response("gone", { status: 403 }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostedResultError);
    expect(error).toMatchObject({
      status: 403,
      expiredAt: undefined,
      url: "https://results.example.com/out/cat.png?[REDACTED]",
    });
    expect(String((error as Error).message)).not.toContain("secret123");
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses an expired URL without a request", async () => {
    let requests = 0;
    const expiresAt = new Date(1_000);
    const error = await downloadHostedResult(SIGNED, join(dir, "cat.png"), {
      fetch: async () => {
        requests += 1;
        return new Response("x");
      },
      expiresAt,
      clock: { now: () => 1_000 },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "HostedResultError", expiredAt: expiresAt, status: undefined });
    expect(requests).toBe(0);
    // One millisecond earlier it is still good.
    await downloadHostedResult(SIGNED, join(dir, "cat.png"), {
      fetch: async () => new Response("x"),
      expiresAt,
      clock: { now: () => 999 },
    });
  });
});

describe("maskFileName", () => {
  it("numbers from 1 and makes the label file-name safe", () => {
    expect(maskFileName(0, "Left Arm")).toBe("1-left-arm.png");
    expect(maskFileName(2, "  ../Dog!! ")).toBe("3-dog.png");
    expect(maskFileName(1, undefined)).toBe("2-region.png");
    expect(maskFileName(1, "日本")).toBe("2-region.png");
  });
});

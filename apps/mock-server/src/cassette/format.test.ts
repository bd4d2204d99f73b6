import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CassetteFormatError } from "./errors.js";
import { blobDirectory, type Cassette, readCassette, sha256, writeCassette } from "./format.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-cassette-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);

function sample(): Cassette {
  const sha = sha256(PNG);
  return {
    blobs: new Map([[sha, PNG]]),
    har: {
      log: {
        version: "1.2",
        creator: { name: "psapi", version: "0.1.0" },
        _psapi: {
          format: 1,
          recordedAt: "2026-01-01T00:00:00.000Z",
          recordedAgainst: ["http://127.0.0.1:4010"],
          specSha256: "0".repeat(64),
          storage: { "1": { origin: "http://127.0.0.1:4010" } },
        },
        entries: [
          {
            startedDateTime: "2026-01-01T00:00:00.000Z",
            time: 3,
            request: {
              method: "GET",
              url: "http://127.0.0.1:4010/__emulator/storage/objects/a.png?sig=%5BREDACTED%5D",
              httpVersion: "HTTP/1.1",
              cookies: [],
              headers: [],
              queryString: [],
              headersSize: -1,
              bodySize: 0,
            },
            response: {
              status: 200,
              statusText: "OK",
              httpVersion: "HTTP/1.1",
              cookies: [],
              headers: [{ name: "content-type", value: "image/png" }],
              content: { size: PNG.length, mimeType: "image/png", _psapi: { blob: sha } },
              redirectURL: "",
              headersSize: -1,
              bodySize: PNG.length,
            },
            cache: {},
            timings: { send: 0, wait: 3, receive: 0 },
            _psapi: { redactions: ["request.url.query:sig"] },
          },
        ],
      },
    },
  };
}

describe("cassette files", () => {
  it("round-trips a HAR 1.2 cassette with its binary body in a content-addressed blob, stored decoded", async () => {
    const file = join(dir, "a.har");
    await writeCassette(file, sample());
    const har = JSON.parse(await readFile(file, "utf8"));
    expect(har.log.version).toBe("1.2");
    expect(har.log.entries[0].response.content.text).toBeUndefined();
    const sha = sha256(PNG);
    expect(new Uint8Array(await readFile(join(blobDirectory(file), sha)))).toEqual(PNG);
    const back = await readCassette(file);
    expect(back.har).toEqual(sample().har);
    expect(back.blobs.get(sha)).toEqual(PNG);
  });

  it.each<[string, (har: ReturnType<typeof sample>["har"]) => unknown, string]>([
    ["a wrong version", (har) => ({ log: { ...har.log, version: "1.1" } }), "/log/version"],
    ["no _psapi data", (har) => ({ log: { ...har.log, _psapi: undefined } }), "/log/_psapi"],
    [
      "a status that is a string",
      (har) => ({
        log: {
          ...har.log,
          entries: [{ ...har.log.entries[0], response: { ...har.log.entries[0]?.response, status: "200" } }],
        },
      }),
      "/log/entries/0/response/status",
    ],
    [
      "a relative request URL",
      (har) => ({
        log: {
          ...har.log,
          entries: [
            { ...har.log.entries[0], request: { ...har.log.entries[0]?.request, url: "/v2/status/x" } },
          ],
        },
      }),
      "/log/entries/0/request/url",
    ],
    ["entries that are not an array", (har) => ({ log: { ...har.log, entries: {} } }), "/log/entries"],
  ])("refuses %s with a CassetteFormatError naming the place", async (_name, mutate, pointer) => {
    const file = join(dir, "bad.har");
    await writeFile(file, JSON.stringify(mutate(sample().har)));
    const error = await readCassette(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CassetteFormatError);
    expect(error).toMatchObject({ file, pointer });
  });

  it("refuses a file that is not JSON, a missing file, a missing blob and an altered blob", async () => {
    const file = join(dir, "bad.har");
    await writeFile(file, "{ not json");
    await expect(readCassette(file)).rejects.toMatchObject({
      name: "CassetteFormatError",
      problem: "is not JSON",
    });
    await expect(readCassette(join(dir, "none.har"))).rejects.toMatchObject({
      name: "CassetteFormatError",
      problem: "cannot be read (ENOENT)",
    });
    const good = join(dir, "good.har");
    await writeCassette(good, sample());
    const blob = join(blobDirectory(good), sha256(PNG));
    await writeFile(blob, "changed");
    await expect(readCassette(good)).rejects.toMatchObject({
      pointer: "/log/entries/0/response/content",
      problem: expect.stringContaining("do not match its hash"),
    });
    await rm(blob);
    await expect(readCassette(good)).rejects.toMatchObject({ problem: expect.stringContaining("missing") });
  });
});

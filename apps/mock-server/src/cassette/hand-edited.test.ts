// A hand-edited cassette (wrong types, values fetch cannot carry, a timeline with negative t) and
// hostile requests to a replaying emulator: each a clear error, never a crash, a 500 or a hang.
import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../app.js";
import { diffCassette } from "./diff.js";
import { CassetteFormatError } from "./errors.js";
import { type CassetteEntry, type CassetteHar, validateCassette } from "./format.js";

function entry(change: (entry: CassetteEntry) => void = () => {}): CassetteEntry {
  const value = {
    startedDateTime: "2026-11-23T18:00:00.000Z",
    time: 1,
    timings: { send: 0, wait: 1, receive: 0 },
    cache: {},
    request: {
      method: "GET",
      url: "https://upstream.example/thing",
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
      headers: [{ name: "content-type", value: "application/json" }],
      content: { size: 2, mimeType: "application/json", text: "{}" },
      redirectURL: "",
      headersSize: -1,
      bodySize: 2,
    },
    _psapi: { redactions: [] },
  } as CassetteEntry;
  change(value);
  return value;
}

function har(entries: CassetteEntry[], log: Record<string, unknown> = {}): CassetteHar {
  return {
    log: {
      version: "1.2",
      creator: { name: "hand", version: "1" },
      entries,
      _psapi: {
        format: 1,
        recordedAt: "2026-11-23T18:00:00.000Z",
        recordedAgainst: ["https://upstream.example"],
        specSha256: "0",
        storage: {},
        ...log,
      },
    },
  } as CassetteHar;
}

const refusal = (value: CassetteHar): string => {
  try {
    validateCassette(value, "hand.har");
  } catch (error) {
    if (error instanceof CassetteFormatError) return `${error.pointer} ${error.problem}`;
    throw error;
  }
  return "accepted";
};

describe("a hand-edited cassette", () => {
  it.each([
    [
      "a 1xx status, which no fetch Response can carry",
      (e: CassetteEntry) => {
        e.response.status = 101;
      },
      "/log/entries/0/response/status",
    ],
    [
      "a header value with a line break",
      (e: CassetteEntry) => {
        e.response.headers = [{ name: "x-note", value: "a\r\nset-cookie: x" }];
      },
      "/log/entries/0/response/headers/0/value",
    ],
    [
      "a header value beyond Latin-1",
      (e: CassetteEntry) => {
        e.response.headers = [{ name: "x-note", value: "日本" }];
      },
      "/log/entries/0/response/headers/0/value",
    ],
    [
      "a header name that is no token",
      (e: CassetteEntry) => {
        e.request.headers = [{ name: "x note", value: "a" }];
      },
      "/log/entries/0/request/headers/0/name",
    ],
    [
      "a status text with a line break",
      (e: CassetteEntry) => {
        e.response.statusText = "OK\n";
      },
      "/log/entries/0/response/statusText",
    ],
    [
      "a method fetch refuses",
      (e: CassetteEntry) => {
        e.request.method = "TRACE";
      },
      "/log/entries/0/request/method",
    ],
    [
      "a method that is no token",
      (e: CassetteEntry) => {
        e.request.method = "GE T";
      },
      "/log/entries/0/request/method",
    ],
    [
      "a URL that is not http(s)",
      (e: CassetteEntry) => {
        e.request.url = "file:///etc/passwd";
      },
      "/log/entries/0/request/url",
    ],
    [
      "a job timeline with a negative t",
      (e: CassetteEntry) => {
        e._psapi.job = { id: "j", t: -5 };
      },
      "/log/entries/0/_psapi/job/t",
    ],
    [
      "a storage URL lifetime that is not a whole number of seconds",
      (e: CassetteEntry) => {
        e._psapi.storageLifetimes = { "/url": "60" as never };
      },
      "/log/entries/0/_psapi/storageLifetimes/~1url",
    ],
    [
      "a redaction that is not a string",
      (e: CassetteEntry) => {
        e._psapi.redactions = [1 as never];
      },
      "/log/entries/0/_psapi/redactions/0",
    ],
  ])("with %s is refused, naming the place", (_what, change, pointer) => {
    expect(refusal(har([entry(change)]))).toMatch(new RegExp(`^${pointer} `));
  });

  it.each([
    ["a recorded origin that is not a string", { recordedAgainst: [1] }, "/log/_psapi/recordedAgainst/0"],
    ["a recorded origin that is no origin", { recordedAgainst: [""] }, "/log/_psapi/recordedAgainst/0"],
    [
      "a storage origin that is no URL",
      { storage: { "1": { origin: "garbage" } } },
      "/log/_psapi/storage/1/origin",
    ],
    [
      "a storage number that is no number",
      { storage: { x: { origin: "https://s.example" } } },
      "/log/_psapi/storage/x",
    ],
  ])("with %s is refused, naming the place", (_what, log, pointer) => {
    expect(refusal(har([entry()], log))).toMatch(new RegExp(`^${pointer} `));
  });

  it("is refused by the replaying emulator with CassetteFormatError, not a TypeError", () => {
    expect(() =>
      createEmulator({ replay: { har: har([entry()], { recordedAgainst: [1] }), blobs: new Map() } }),
    ).toThrow(CassetteFormatError);
  });

  it("is refused by diffCassette with CassetteFormatError, before any request", async () => {
    const bad = har([
      entry((e) => {
        e.response.headers = [{ name: "x", value: "a\nb" }];
      }),
    ]);
    await expect(diffCassette({ har: bad, blobs: new Map() }, { emulator: createEmulator })).rejects.toThrow(
      CassetteFormatError,
    );
  });

  it("whose entries are years apart, or at fractions of a ms, is diffed without a control API error", async () => {
    const late = entry((e) => {
      e.startedDateTime = "2126-11-23T18:00:00.500Z";
    });
    const fraction = entry((e) => {
      e.startedDateTime = "2126-11-23T18:00:01.000Z";
      e._psapi.job = { id: "j", t: 0.5 };
    });
    const report = await diffCassette(
      { har: har([entry(), late, fraction]), blobs: new Map() },
      {
        emulator: createEmulator,
      },
    );
    expect(report.entries).toBe(3);
  });
});

describe("a replaying emulator given a hostile request", () => {
  it("answers a deeply nested JSON body it lacks with its 404 miss, not a 500", async () => {
    const app = createEmulator({
      clock: createFakeClock({ start: 0 }),
      replay: {
        har: har([
          entry((e) => {
            e.request.method = "POST";
            e.request.postData = { mimeType: "application/json", text: "[]" };
          }),
        ]),
        blobs: new Map(),
      },
    });
    const depth = 20_000;
    const answer = await app.request("/thing", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `${"[".repeat(depth)}${"]".repeat(depth)}`,
    });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { differences: string[] }).differences).toEqual(["body differs"]);
  });

  it.each(["OPTIONS", "PROPFIND"])(
    "holds a %s body to the body limit as a POST's, rather than reading it whole",
    async (method) => {
      const app = createEmulator({
        limits: { maxBodyBytes: 1024 },
        replay: { har: har([entry()]), blobs: new Map() },
      });
      const answer = await app.request("/thing", { method, body: "x".repeat(64 * 1024) });
      expect(answer.status).toBe(413);
    },
  );
});

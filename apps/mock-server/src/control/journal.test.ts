import { describe, expect, it } from "vitest";
import { Journal, redactQuery } from "./journal.js";

const entry = (path: string, status = 200) => ({
  timeMs: Date.UTC(2026, 10, 23),
  method: "GET",
  path,
  query: {},
  status,
  durationMs: 0,
});

describe("Journal", () => {
  it("keeps the newest max entries, newest first, across many wrap-arounds", () => {
    const journal = new Journal(3);
    for (let i = 1; i <= 10; i++) journal.record(entry(`/p${i}`, i % 2 ? 200 : 404));
    expect(journal.list().map((e) => [e.id, e.path])).toEqual([
      [10, "/p10"],
      [9, "/p9"],
      [8, "/p8"],
    ]);
    expect(journal.list({ status: 404 }).map((e) => e.id)).toEqual([10, 8]);
    expect(journal.list({ limit: 1 })).toEqual([
      {
        id: 10,
        time: "2026-11-23T00:00:00.000Z",
        method: "GET",
        path: "/p10",
        query: {},
        status: 404,
        durationMs: 0,
      },
    ]);
    journal.clear();
    expect(journal.list()).toEqual([]);
    journal.record(entry("/after"));
    expect(journal.list().map((e) => [e.id, e.path])).toEqual([[11, "/after"]]);
  });

  it("redacts secret query values by name, case-insensitively", () => {
    expect(redactQuery(new URLSearchParams("sig=abc&Client_Secret=s&expires=1"))).toEqual({
      sig: "[REDACTED]",
      Client_Secret: "[REDACTED]",
      expires: "1",
    });
  });

  it("redacts a secret inside another value, such as a signed URL passed along", () => {
    const next = encodeURIComponent("https://bucket.example/a.png?X-Amz-Signature=s3cr3t");
    expect(redactQuery(new URLSearchParams(`next=${next}&x-amz-credential=c`))).toEqual({
      next: "https://bucket.example/a.png?[REDACTED]",
      "x-amz-credential": "[REDACTED]",
    });
  });
});

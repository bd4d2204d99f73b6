import { describe, expect, it } from "vitest";
import { isRecord } from "./is-record.js";

describe("isRecord", () => {
  it("accepts objects and refuses null, arrays and primitives", () => {
    expect(isRecord({ status: "failed" })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    for (const value of [null, undefined, [], [1], "x", 1, true]) expect(isRecord(value)).toBe(false);
  });
});

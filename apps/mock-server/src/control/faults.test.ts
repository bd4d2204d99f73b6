import { describe, expect, it } from "vitest";
import { FaultTable, MAX_FAULT_RULES, parseFaultHeader } from "./faults.js";

describe("parseFaultHeader", () => {
  it("reads statuses with retry-after, reset and latency, combined with commas", () => {
    expect(parseFaultHeader("503; retry-after=2")).toEqual({ status: 503, retryAfter: 2 });
    expect(parseFaultHeader("reset")).toEqual({ reset: true });
    expect(parseFaultHeader("latency=500, 504")).toEqual({ latencyMs: 500, status: 504 });
  });

  it("explains what it cannot read", () => {
    expect(parseFaultHeader("404")).toMatch(/unknown fault "404"/);
    expect(parseFaultHeader("503; foo=1")).toMatch(/unknown parameter/);
    expect(parseFaultHeader("reset; x")).toMatch(/takes no parameters/);
  });
});

describe("FaultTable", () => {
  it("uses the first matching rule with calls left", () => {
    const table = new FaultTable(1, [
      { route: "GET /a", status: 500, times: 1 },
      { route: "*", status: 502 },
    ]);
    expect(table.match("GET", "/a")).toMatchObject({ status: 500 });
    expect(table.match("GET", "/a")).toMatchObject({ status: 502 });
    expect(table.list().map((rule) => rule.hits)).toEqual([1, 1]);
  });
});

describe("FaultTable limits", () => {
  it("refuses a rule past MAX_FAULT_RULES, and accepts one again after a removal", () => {
    const table = new FaultTable(1, []);
    for (let i = 0; i < MAX_FAULT_RULES; i++) table.add({ status: 503 });
    expect(() => table.add({ status: 503 })).toThrow(/at most 1000 rules/);
    expect(table.remove("fault-1")).toBe(true);
    expect(table.add({ status: 503 }).id).toBe(`fault-${MAX_FAULT_RULES + 1}`);
  });
});

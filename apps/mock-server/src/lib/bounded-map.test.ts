import { describe, expect, it } from "vitest";
import { BoundedMap } from "./bounded-map.js";

describe("BoundedMap", () => {
  it("evicts the least recently used entry past maxEntries", () => {
    const map = new BoundedMap<string, number>({ maxEntries: 2 });
    map.set("a", 1).set("b", 2);
    expect(map.get("a")).toBe(1);
    map.set("c", 3);
    expect([...map.values()]).toEqual([1, 3]);
    expect(map.has("b")).toBe(false);
  });

  it("evicts by weight and tracks it through replace and delete", () => {
    const map = new BoundedMap<string, Uint8Array>({ maxEntries: 10, maxWeight: 10, weigh: (v) => v.length });
    map.set("a", new Uint8Array(4)).set("b", new Uint8Array(4));
    map.set("a", new Uint8Array(2));
    expect(map.weight).toBe(6);
    map.set("c", new Uint8Array(6));
    expect(map.has("b")).toBe(false);
    expect(map.weight).toBe(8);
    expect(map.delete("a")).toBe(true);
    expect(map.delete("a")).toBe(false);
    expect(map.weight).toBe(6);
  });

  it("keeps a single entry heavier than the cap rather than evicting what was just stored", () => {
    const map = new BoundedMap<string, Uint8Array>({ maxEntries: 10, maxWeight: 5, weigh: (v) => v.length });
    map.set("a", new Uint8Array(1)).set("big", new Uint8Array(8));
    expect(map.has("a")).toBe(false);
    expect(map.peek("big")?.length).toBe(8);
  });

  it("re-weighs a value changed in place, keeping the total right through a later delete", () => {
    const map = new BoundedMap<string, { bytes: number }>({
      maxEntries: 10,
      maxWeight: 10,
      weigh: (v) => v.bytes,
    });
    const a = { bytes: 8 };
    map.set("a", a).set("b", { bytes: 2 });
    a.bytes = 1;
    expect(map.reweigh("a")).toBe(true);
    expect(map.weight).toBe(3);
    map.set("c", { bytes: 7 });
    expect([map.has("a"), map.has("b")]).toEqual([true, true]);
    expect(map.delete("a")).toBe(true);
    expect(map.weight).toBe(9);
    expect(map.reweigh("a")).toBe(false);
  });
});

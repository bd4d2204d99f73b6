import { describe, expect, it } from "vitest";
import { parseRetention } from "./batch.js";

describe("--retention", () => {
  it("takes days by default, or hours, minutes and seconds", () => {
    expect(parseRetention("7")).toBe(7 * 86_400_000);
    expect(parseRetention("7d")).toBe(7 * 86_400_000);
    expect(parseRetention("12h")).toBe(12 * 3_600_000);
    expect(parseRetention("30m")).toBe(30 * 60_000);
    expect(parseRetention("90s")).toBe(90_000);
  });
  it("refuses anything else with a clear error", () => {
    for (const bad of ["0", "0d", "-1d", "1w", "1.5d", "", "7 days"]) {
      expect(() => parseRetention(bad), bad).toThrow(/expected a duration such as 7d/);
    }
  });
});

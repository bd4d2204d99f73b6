import { describe, expect, it } from "vitest";
import { isLocalHostName } from "./local-host-name.js";

describe("isLocalHostName", () => {
  it("accepts loopback names and *.localhost, which a browser resolves to loopback itself", () => {
    for (const url of [
      "http://localhost:4010",
      "http://127.0.0.1:4010",
      "http://[::1]:4010",
      "http://psapi.localhost:4020",
      "http://My-App.LOCALHOST",
    ]) {
      expect(isLocalHostName(new URL(url)), url).toBe(true);
    }
  });

  it("refuses any other name, one that only looks local included", () => {
    for (const url of [
      "http://evil.example:4010",
      "http://localhost.example.com",
      "http://a.b.localhost",
      "http://psapi.localhost.evil.example",
      "http://127.0.0.1.nip.io",
    ]) {
      expect(isLocalHostName(new URL(url)), url).toBe(false);
    }
  });
});

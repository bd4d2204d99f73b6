import { describe, expect, it } from "vitest";
import { isLoopback } from "./loopback.js";

describe("isLoopback", () => {
  it("accepts localhost, 127.0.0.0/8 and ::1, as URLs, hostnames or socket addresses", () => {
    for (const url of [
      "http://localhost:4010",
      "http://127.0.0.1",
      "http://127.1.2.3:80",
      "http://[::1]:4010",
    ]) {
      expect(isLoopback(new URL(url))).toBe(true);
    }
    for (const host of ["LOCALHOST", "127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "::FFFF:127.9.9.9"]) {
      expect(isLoopback(host)).toBe(true);
    }
  });

  it("refuses every other host, *.localhost included", () => {
    for (const host of [
      "image.adobe.io",
      "app.localhost",
      "localhost.example.com",
      "127.0.0.1.example.com",
      "128.0.0.1",
      "::2",
      "::ffff:10.0.0.1",
      "0.0.0.0",
      "",
    ]) {
      expect(isLoopback(host)).toBe(false);
    }
    expect(isLoopback(new URL("http://127.0.0.1.nip.io"))).toBe(false);
  });
});

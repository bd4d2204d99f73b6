import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPhotoshopClient } from "./all.js";
import { fakeAuth } from "./testing/fake-auth.js";
import { setup } from "./testing/setup.js";
import { VERSION } from "./version.js";

describe("user agent", () => {
  it("sends psapi-client/<version> after the caller's product token", async () => {
    const { client, clock, seen } = setup([new Response("hi")], { userAgent: "my-pipeline/2.1" });
    await clock.run(client.hello());
    expect(seen[0]?.headers.get("user-agent")).toBe(`my-pipeline/2.1 psapi-client/${VERSION}`);
  });

  it("sends only psapi-client/<version> by default", async () => {
    const { client, clock, seen } = setup([new Response("hi")]);
    await clock.run(client.hello());
    expect(seen[0]?.headers.get("user-agent")).toBe(`psapi-client/${VERSION}`);
  });

  it("refuses a user agent that would inject a header", () => {
    const auth = fakeAuth();
    expect(() => createPhotoshopClient({ auth, userAgent: "a\r\nAuthorization: x" })).toThrow(
      /printable ASCII/,
    );
    expect(() => createPhotoshopClient({ auth, userAgent: "" })).toThrow(/printable ASCII/);
  });

  it("keeps VERSION equal to package.json's version", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(VERSION).toBe(manifest.version);
  });
});

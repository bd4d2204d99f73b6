import { describe, expect, expectTypeOf, it } from "vitest";
import { createEmulator } from "./app.js";
import type { DocumentManifest } from "./imaging/manifest-types.js";
import type { Imaging } from "./options.js";

describe("createEmulator options", () => {
  it.each([
    [{ clients: [] }, /at least one client/],
    [{ clients: [{ clientId: "a", clientSecret: "" }] }, /clientSecret/],
    [
      {
        clients: [
          { clientId: "a", clientSecret: "b" },
          { clientId: "a", clientSecret: "c" },
        ],
      },
      /listed twice/,
    ],
    [{ publicUrl: "not a url" }, /publicUrl/],
    [{ publicUrl: "ftp://x" }, /http or https/],
    [{ tokenLifetimeSeconds: 0 }, /tokenLifetimeSeconds/],
    [{ jobs: { pendingMs: -1 } }, /jobs.pendingMs/],
    [{ limits: { maxJobs: 0 } }, /limits.maxJobs/],
    [{ limits: { bogus: 1 } }, /unknown limit bogus/],
    [{ rateLimits: [{ name: "x", limit: 0, windowMs: 1 }] }, /rateLimits x limit/],
    [{ signingKey: "short" }, /signingKey/],
    [{ trialQuota: 1.5 }, /trialQuota/],
    [{ allowedHosts: ["https://cdn.example.com"] }, /allowedHosts/],
    [{ allowedHosts: ["cdn.example.com/path"] }, /allowedHosts/],
    [{ allowedHosts: ["*"] }, /allowedHosts/],
  ])("refuses %j with a message naming the option", (options, message) => {
    expect(() => createEmulator(options as Parameters<typeof createEmulator>[0])).toThrow(message);
    expect(() => createEmulator(options as Parameters<typeof createEmulator>[0])).toThrow(
      /^\[@psapi\/mock-server\]/,
    );
  });

  it("gives two apps separate state", async () => {
    const a = createEmulator();
    const b = createEmulator();
    await a.request("/sensei/status/x");
    const journal = async (app: typeof a) =>
      ((await (await app.request("/__emulator/journal")).json()) as { entries: unknown[] }).entries.length;
    expect(await journal(a)).toBe(1);
    expect(await journal(b)).toBe(0);
  });

  it("types an injected readDocumentManifest as the built-in's DocumentManifest (checked by tsc)", () => {
    expectTypeOf<ReturnType<Imaging["readDocumentManifest"]>>().toEqualTypeOf<Promise<DocumentManifest>>();
    const imaging: Partial<Imaging> = {
      // @ts-expect-error a manifest without the document's fields would crash the v2 conversion
      readDocumentManifest: async () => ({ document: {}, layers: [] }),
    };
    expect(() => createEmulator({ imaging })).not.toThrow();
  });
});

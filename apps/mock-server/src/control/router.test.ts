import { describe, expect, it } from "vitest";
import type { Imaging } from "../options.js";
import {
  advance,
  authHeaders,
  form,
  getToken,
  postJson,
  presign,
  testEmulator,
  upload,
} from "../testing/helpers.js";

type Entry = Record<string, unknown> & { id: number; path: string; status: number };

async function journal(app: ReturnType<typeof testEmulator>["app"], query = "") {
  const res = await app.request(`/__emulator/journal${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

describe("control API", () => {
  it("reads and advances the clock", async () => {
    const { app, clock } = testEmulator();
    const before = (await (await app.request("/__emulator/clock")).json()) as { now: number; time: string };
    expect(before).toEqual({ now: clock.now(), time: new Date(clock.now()).toISOString() });
    const res = await app.request("/__emulator/clock/advance", postJson({ ms: 1500 }));
    expect(await res.json()).toMatchObject({ now: clock.now() + 1500 });
  });

  it("refuses a negative or fractional advance and a non-JSON body", async () => {
    const { app } = testEmulator();
    for (const body of [{ ms: -1 }, { ms: 1.5 }, {}, { ms: 1, extra: true }]) {
      expect((await app.request("/__emulator/clock/advance", postJson(body))).status).toBe(400);
    }
    const text = await app.request("/__emulator/clock/advance", {
      method: "POST",
      body: "ms=1",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
  });

  it("records requests newest first with secrets redacted and no headers or bodies", async () => {
    const { app } = testEmulator();
    const token = await getToken(app);
    await app.request("/pie/psdService/hello", {
      headers: { authorization: `Bearer ${token}`, "x-api-key": "psapi-demo-client" },
    });
    await upload(app, "a.png", new Uint8Array([1]));
    await app.request(
      `/ims/token/v3?client_secret=psapi-demo-secret&refresh_token=rt-secret`,
      form({ grant_type: "client_credentials", client_id: "psapi-demo-client" }),
    );
    const entries = await journal(app);
    expect(entries.map((e) => e.path)).toEqual([
      "/ims/token/v3",
      "/__emulator/storage/objects/a.png",
      "/pie/psdService/hello",
      "/ims/token/v3",
    ]);
    expect(entries[0]).toMatchObject({
      status: 200,
      query: { client_secret: "[REDACTED]", refresh_token: "[REDACTED]" },
    });
    expect(entries[1]).toMatchObject({ method: "PUT", query: { sig: "[REDACTED]" } });
    expect(entries[2]).toMatchObject({ status: 200, clientId: "psapi-demo-client" });
    const serialized = JSON.stringify(entries);
    for (const secret of [token, "psapi-demo-secret", "rt-secret"]) expect(serialized).not.toContain(secret);
    expect(entries[0]?.id).toBeGreaterThan(entries[1]?.id ?? Infinity);
  });

  it("filters the journal by method, path prefix, status, client and limit", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await app.request("/pie/psdService/hello", { headers });
    await app.request("/pie/psdService/hello");
    await app.request("/sensei/status/x", { headers });
    expect((await journal(app, "?path=/pie/")).length).toBe(2);
    expect((await journal(app, "?status=401")).map((e) => e.path)).toEqual(["/pie/psdService/hello"]);
    expect((await journal(app, "?status=404"))[0]).toMatchObject({ error: "ResourceNotFound" });
    expect((await journal(app, "?method=post")).map((e) => e.path)).toEqual(["/ims/token/v3"]);
    expect((await journal(app, "?clientId=psapi-demo-client")).length).toBe(2);
    expect((await journal(app, "?limit=1")).map((e) => e.path)).toEqual(["/sensei/status/x"]);
    expect((await app.request("/__emulator/journal?limit=0")).status).toBe(400);
    expect((await app.request("/__emulator/journal?status=abc")).status).toBe(400);
  });

  it("keeps at most maxJournalEntries entries", async () => {
    const { app } = testEmulator({ limits: { maxJournalEntries: 3 } });
    for (let i = 0; i < 5; i++) await app.request(`/sensei/status/${i}`);
    expect((await journal(app)).map((e) => e.path)).toEqual([
      "/sensei/status/4",
      "/sensei/status/3",
      "/sensei/status/2",
    ]);
  });

  it("lists jobs newest first without hrefs, filtered by status and kind, and evicts past maxJobs", async () => {
    const { app } = testEmulator({ limits: { maxJobs: 2 }, jobs: { pendingMs: 1000, runningMs: 0 } });
    const headers = await authHeaders(app);
    const body = {
      input: { href: "files/a.png", storage: "adobe" },
      output: { href: "files/b.png", storage: "adobe" },
    };
    const links: string[] = [];
    for (const path of ["/sensei/mask", "/sensei/cutout", "/sensei/mask"]) {
      const res = await app.request(path, postJson(body, headers));
      links.push(((await res.json()) as { _links: { self: { href: string } } })._links.self.href);
    }
    const res = await app.request("/__emulator/jobs");
    const { jobs } = (await res.json()) as { jobs: Record<string, unknown>[] };
    expect(jobs.map((j) => j.statusUrl)).toEqual([links[2], links[1]]);
    expect(jobs[0]).toMatchObject({ kind: "mask", clientId: "psapi-demo-client", status: "pending" });
    expect(JSON.stringify(jobs)).not.toContain("files/a.png");
    expect((await app.request(links[0] as string, { headers })).status).toBe(404);
    const cutouts = (await (await app.request("/__emulator/jobs?kind=cutout")).json()) as { jobs: unknown[] };
    expect(cutouts.jobs).toHaveLength(1);
    await advance(app, 1000);
    const failed = (await (await app.request("/__emulator/jobs?status=failed")).json()) as {
      jobs: unknown[];
    };
    expect(failed.jobs).toHaveLength(2);
  });

  it("resets jobs, objects, journal and clock advances", async () => {
    const { app, clock } = testEmulator();
    await upload(app, "a.png", new Uint8Array([1]));
    const url = await presign(app, "a.png", "GET");
    await advance(app, 5000);
    expect((await app.request("/__emulator/reset", { method: "POST" })).status).toBe(204);
    expect((await (await app.request("/__emulator/clock")).json()) as { now: number }).toMatchObject({
      now: clock.now(),
    });
    expect(await journal(app)).toEqual([]);
    expect((await app.request(url)).status).toBe(404);
    expect(((await (await app.request("/__emulator/jobs")).json()) as { jobs: unknown[] }).jobs).toEqual([]);
  });

  it("mints authorization codes only for configured clients", async () => {
    const { app } = testEmulator();
    const res = await app.request("/__emulator/ims/authorization-codes", postJson({ clientId: "nobody" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: "InputValidationError",
      reason: [{ instancePath: "/clientId" }],
    });
  });

  it("answers 404 ResourceNotFound for an unknown control route", async () => {
    const { app } = testEmulator();
    const res = await app.request("/__emulator/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: "ResourceNotFound",
      code: 404,
      title: "Requested resource was not found",
    });
  });
});

describe("memory under load", () => {
  it("evicts the oldest jobs once their request bodies pass maxJobBytes, however few they are", async () => {
    const { app } = testEmulator({ limits: { maxJobBytes: 50_000 } });
    const headers = await authHeaders(app);
    const long = `files/${"x".repeat(20_000)}.png`;
    const body = {
      input: { href: long, storage: "adobe" },
      output: { href: "files/o.png", storage: "adobe" },
    };
    const links: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/sensei/mask", postJson(body, headers));
      expect(res.status).toBe(202);
      links.push(((await res.json()) as { _links: { self: { href: string } } })._links.self.href);
    }
    const statuses = await Promise.all(
      links.map(async (href) => (await app.request(href, { headers })).status),
    );
    expect(statuses).toEqual([404, 200, 200]);
    const { jobs } = (await (await app.request("/__emulator/jobs")).json()) as { jobs: unknown[] };
    expect(jobs).toHaveLength(2);
  });
});

describe("image work under load", () => {
  it("downloads a retired job's input only when a work slot is free, so queued jobs hold no input", async () => {
    const release: (() => void)[] = [];
    const imaging: Imaging = {
      computeMask: () => new Promise((resolve) => release.push(() => resolve(new Uint8Array([1])))),
      computeCutout: async () => new Uint8Array(),
      readDocumentManifest: async () => {
        throw new Error("no manifest in this test");
      },
    };
    const downloads: string[] = [];
    const fetch = async (request: Request) => {
      if (request.method === "GET") downloads.push(request.url);
      return new Response(request.method === "GET" ? new Uint8Array([1]) : null, { status: 200 });
    };
    const { app } = testEmulator({
      imaging,
      fetch,
      allowedHosts: ["cdn.example.com"],
      limits: { maxConcurrentWork: 1 },
    });
    const headers = await authHeaders(app);
    for (let i = 0; i < 3; i++) {
      const body = {
        input: { href: `https://cdn.example.com/in-${i}.png`, storage: "external" },
        output: { href: `https://cdn.example.com/out-${i}.png`, storage: "external" },
      };
      expect((await app.request("/sensei/mask", postJson(body, headers))).status).toBe(202);
    }
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i++) await flush();
    expect(downloads).toEqual(["https://cdn.example.com/in-0.png"]);
    for (let done = 0; done < 3; done++) {
      release.shift()?.();
      for (let i = 0; i < 5; i++) await flush();
    }
    expect(downloads).toHaveLength(3);
  });

  it("runs at most maxConcurrentWork image computations at once and queues the rest", async () => {
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const imaging: Imaging = {
      computeMask: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running -= 1;
        return new Uint8Array([1]);
      },
      computeCutout: async () => new Uint8Array(),
      readDocumentManifest: async () => {
        throw new Error("no manifest in this test");
      },
    };
    const { app } = testEmulator({ imaging, limits: { maxConcurrentWork: 2 } });
    const headers = await authHeaders(app);
    await upload(app, "files/a.png", new Uint8Array([1]));
    const body = {
      input: { href: "files/a.png", storage: "adobe" },
      output: { href: "files/o.png", storage: "adobe" },
    };
    for (let i = 0; i < 5; i++)
      expect((await app.request("/sensei/mask", postJson(body, headers))).status).toBe(202);
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    await flush();
    expect([running, release.length]).toEqual([2, 2]);
    for (let done = 0; done < 5; done++) {
      release.shift()?.();
      await flush();
    }
    expect(most).toBe(2);
    expect(running).toBe(0);
    await advance(app, 0);
    const { jobs } = (await (await app.request("/__emulator/jobs")).json()) as { jobs: { status: string }[] };
    expect(jobs.map((job) => job.status)).toEqual(Array(5).fill("succeeded"));
  });
});

import { writePsdUint8Array } from "ag-psd";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../control/journal.js";
import type { Job } from "../jobs/jobs.js";
import { done, hostedPng, post, setup } from "../testing/documents.js";
import {
  advance,
  authHeaders,
  CLIENT_ID,
  CLIENT_SECRET,
  form,
  getToken,
  postJson,
  presign,
  subjectPng,
  testEmulator,
  upload,
} from "../testing/helpers.js";
import { MAX_LISTENERS } from "./change-feed.js";
import { jobImages, renderThumbnail, THUMBNAIL_SIZE } from "./job-images.js";

type App = ReturnType<typeof testEmulator>["app"];
const journal = async (app: App) =>
  ((await (await app.request("/__emulator/journal")).json()) as { entries: JournalEntry[] }).entries;

/** A request as it arrives over a socket from `remoteAddress` (what @hono/node-server binds). */
const fromPeer = (app: App, url: string, remoteAddress: string, init: RequestInit = {}) =>
  app.fetch(new Request(url, init), { incoming: { socket: { remoteAddress } } });

async function maskJob(app: App) {
  await upload(app, "in/subject.png", await subjectPng(96, 64));
  const body = {
    input: { href: await presign(app, "in/subject.png", "GET"), storage: "external" },
    output: { href: await presign(app, "out/mask.png", "PUT"), storage: "external" },
  };
  const response = await app.request("/sensei/mask", postJson(body, await authHeaders(app)));
  expect(response.status).toBe(202);
  await advance(app, 0);
  const { jobs } = (await (await app.request("/__emulator/jobs")).json()) as { jobs: { jobId: string }[] };
  return String(jobs[0]?.jobId);
}

describe("journal entries for the inspector", () => {
  it("records a request failed by a fault rule with its status, fault and error name", async () => {
    const { app } = testEmulator({ faults: { rules: [{ route: "GET /pie/*", status: 503, times: 1 }] } });
    const headers = await authHeaders(app);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(503);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    const [second, first] = await journal(app);
    expect(first).toMatchObject({
      path: "/pie/psdService/hello",
      status: 503,
      fault: "503",
      error: "503001",
    });
    expect(second).toMatchObject({ status: 200 });
  });

  it("keeps headers and bodies with every secret redacted by @psapi/core's redactor", async () => {
    const { app } = testEmulator();
    await app.request("/ims/token/v3", {
      ...form({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    const token = await getToken(app);
    const signed = await presign(app, "in/x.png", "GET");
    await app.request(
      "/sensei/mask",
      postJson(
        { input: { href: signed, storage: "external" }, refresh_token: "rt-secret", note: `Bearer ${token}` },
        { authorization: `Bearer ${token}`, "x-api-key": CLIENT_ID, cookie: "session=cookie-secret" },
      ),
    );
    const entries = await journal(app);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(token);
    expect(text).not.toContain("rt-secret");
    expect(text).not.toContain("cookie-secret");
    expect(text).not.toContain(new URL(signed).searchParams.get("sig"));
    const mask = entries.find((entry) => entry.path === "/sensei/mask");
    expect(mask?.request?.headers).toMatchObject({
      authorization: "[REDACTED]",
      cookie: "[REDACTED]",
      "x-api-key": CLIENT_ID,
    });
    expect(JSON.parse(mask?.request?.body ?? "{}")).toMatchObject({
      refresh_token: "[REDACTED]",
      note: "Bearer [REDACTED]",
    });
    const tokenCall = entries.find((entry) => entry.path === "/ims/token/v3");
    expect(tokenCall?.request?.body).toContain("client_secret=[REDACTED]");
    expect(tokenCall?.request?.body).toContain(`client_id=${CLIENT_ID}`);
  });

  it("notes a stored object's body by its size instead of keeping it", async () => {
    const { app } = testEmulator();
    await upload(app, "in/big.png", await subjectPng(64, 48));
    const [put] = await journal(app);
    expect(put?.request?.body).toMatch(/^\(\d+ bytes of image\/png\)$/);
  });
});

describe("inspector pages", () => {
  it("renders every view with a CSP that allows nothing inline or off-origin", async () => {
    const { app } = testEmulator();
    for (const view of ["requests", "jobs", "tokens", "faults", "clock", "cassette"]) {
      const page = await app.request(`/__emulator/ui/${view}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await page.text();
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      // One script, the package's own file; nothing from another origin.
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    // A live emulator has no cassette; the page says how to load one (--replay).
    expect(await (await app.request("/__emulator/ui/cassette")).text()).toContain("No cassette loaded");
    expect((await app.request("/__emulator/ui")).headers.get("location")).toBe("/__emulator/ui/requests");
    expect((await app.request("/__emulator/ui/nothing")).status).toBe(404);
    const script = await app.request("/__emulator/ui/assets/inspector.js");
    expect(script.headers.get("content-type")).toContain("javascript");
    expect((await app.request("/__emulator/ui/assets/..%2Fpackage.json")).status).toBe(404);
  });

  it("shows what came from a request as escaped text", async () => {
    const { app } = testEmulator();
    const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`;
    await app.request(`/pie/psdService/${encodeURIComponent(hostile)}`, {
      headers: { "x-hostile": hostile },
    });
    await app.request("/sensei/mask", postJson({ input: { href: hostile } }, await authHeaders(app)));
    const html = await (await app.request("/__emulator/ui/requests")).text();
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
  });

  it("lists tokens by id with their expiry on the emulator's clock, and revokes one by id", async () => {
    const { app } = testEmulator({ tokenLifetimeSeconds: 60 });
    await getToken(app);
    const second = await getToken(app);
    const list = async () =>
      (
        (await (await app.request("/__emulator/tokens")).json()) as {
          tokens: { tokenId: string; state: string }[];
        }
      ).tokens;
    const [newest, oldest] = await list();
    expect(JSON.stringify(await list())).not.toContain(second);
    const revoke = await app.request("/__emulator/tokens/revoke", postJson({ tokenId: newest?.tokenId }));
    expect(await revoke.json()).toEqual({ revoked: true });
    const hello = { headers: { authorization: `Bearer ${second}`, "x-api-key": CLIENT_ID } };
    expect((await app.request("/pie/psdService/hello", hello)).status).toBe(401);
    expect((await list()).map((token) => token.state)).toEqual(["revoked", "valid"]);
    await advance(app, 60_000);
    expect((await list()).map((token) => token.state)).toEqual(["revoked", "expired"]);
    expect(oldest?.tokenId).not.toBe(newest?.tokenId);
    const unknown = await app.request("/__emulator/tokens/revoke", postJson({ tokenId: "nope" }));
    expect(await unknown.json()).toEqual({ revoked: false });
  });

  it("serves thumbnails of a mask job's input and output, no larger than 320 px", async () => {
    const { app } = testEmulator();
    const jobId = await maskJob(app);
    for (const index of [0, 1]) {
      const png = await app.request(`/__emulator/jobs/${jobId}/thumbnails/${index}`);
      expect(png.status).toBe(200);
      expect(png.headers.get("content-type")).toBe("image/png");
      const meta = await sharp(new Uint8Array(await png.arrayBuffer())).metadata();
      expect(meta.width).toBe(96);
    }
    expect((await app.request(`/__emulator/jobs/${jobId}/thumbnails/2`)).status).toBe(404);
    expect((await app.request("/__emulator/jobs/nope/thumbnails/0")).status).toBe(404);
    const html = await (await app.request("/__emulator/ui/jobs")).text();
    expect(html).toContain(`/__emulator/jobs/${jobId}/thumbnails/1`);
  });

  it("renders a PSD's composite and draws boxes over an input", async () => {
    const width = 800;
    const height = 400;
    const data = new Uint8ClampedArray(width * height * 4).fill(200);
    const psd = writePsdUint8Array({ width, height, imageData: { width, height, data }, children: [] });
    const preview = await renderThumbnail(psd);
    expect(preview && (await sharp(preview).metadata())).toMatchObject({
      width: THUMBNAIL_SIZE,
      height: 160,
    });
    const plain = (await renderThumbnail(await subjectPng(100, 100))) as Buffer;
    const boxed = (await renderThumbnail(await subjectPng(100, 100), [
      { x: 0, y: 0, width: 50, height: 50 },
    ])) as Buffer;
    expect(Buffer.compare(plain, boxed)).not.toBe(0);
    expect(await renderThumbnail(new TextEncoder().encode("not an image"))).toBeUndefined();
  });

  it("finds a current-contract job's source, its hosted outputs and the boxes to draw over the source", () => {
    const job = {
      kind: "mask-objects",
      status: "succeeded",
      request: {
        image: { source: { url: "http://127.0.0.1:4010/__emulator/storage/objects/in.png?sig=x" } },
      },
      result: {
        semanticMasks: [
          {
            label: "cat",
            boundingBox: { x: 1, y: 2, width: 3, height: 4 },
            destination: {
              url: "http://127.0.0.1:4010/__emulator/storage/objects/outputs%2Fj%2Fsemantic-0.png",
            },
            mediaType: "image/png",
          },
        ],
        backgroundMasks: [
          { label: "background", destination: { url: "http://h/b.png" }, mediaType: "image/png" },
        ],
        manifest: { destination: { url: "http://h/m.json" }, mediaType: "application/json" },
      },
    } as unknown as Job;
    expect(jobImages(job)).toEqual([
      {
        role: "input",
        label: "input",
        href: "http://127.0.0.1:4010/__emulator/storage/objects/in.png?sig=x",
        boxes: [{ x: 1, y: 2, width: 3, height: 4, label: "cat" }],
      },
      {
        role: "output",
        label: "semanticMasks: cat",
        href: "http://127.0.0.1:4010/__emulator/storage/objects/outputs%2Fj%2Fsemantic-0.png",
      },
      { role: "output", label: "backgroundMasks: background", href: "http://h/b.png" },
    ]);
    const removeBackground = {
      kind: "remove-background",
      request: { image: { source: { url: "http://h/in.png" } }, mode: "cutout" },
      result: { outputs: [{ destination: { url: "http://h/out.png" }, mediaType: "image/png" }] },
    } as unknown as Job;
    expect(jobImages(removeBackground).map((image) => [image.role, image.label])).toEqual([
      ["input", "input"],
      ["output", "outputs"],
    ]);
    const composite = {
      kind: "create-composite",
      request: {
        image: { source: { url: "http://h/template.psd" } },
        edits: {
          layers: [
            {
              type: "layer",
              name: "Hero",
              operation: { type: "add" },
              image: { source: { url: "http://h/hero.png" } },
            },
            {
              type: "smart_object_layer",
              name: "Logo",
              operation: { type: "edit" },
              smartObject: { smartObjectFile: { source: { url: "http://h/logo.png" } } },
            },
            { type: "layer", name: "Old", operation: { type: "delete" } },
          ],
        },
      },
      result: {
        outputs: [
          { destination: { url: "http://h/out.psd" }, mediaType: "image/vnd.adobe.photoshop" },
          { destination: { url: "http://h/out.json" }, mediaType: "application/json" },
        ],
      },
    } as unknown as Job;
    expect(jobImages(composite).map((image) => [image.role, image.label, image.href])).toEqual([
      ["input", "input", "http://h/template.psd"],
      ["input", "layer: Hero", "http://h/hero.png"],
      ["input", "layer: Logo", "http://h/logo.png"],
      ["output", "outputs", "http://h/out.psd"],
    ]);
    const artboard = {
      kind: "create-artboard",
      request: { images: [{ source: { url: "http://h/a.png" } }, { source: { url: "http://h/b.png" } }] },
    } as unknown as Job;
    expect(jobImages(artboard).map((image) => image.label)).toEqual(["image 1", "image 2"]);
  });

  it("shows each current job's inputs and outputs as thumbnails of those very images (create-composite, create-artboard, execute-actions, edit, auto-crop)", async () => {
    const { app, headers, psd, green } = await setup();
    await upload(app, "in/subject.png", await subjectPng(96, 64));
    const subject = await presign(app, "in/subject.png", "GET");
    const hostedJpeg = { destination: { validityPeriod: 600 }, mediaType: "image/jpeg" };
    const submit = async (path: string, body: unknown, operationId: string) => {
      const { status, json } = await post(app, path, body, headers, operationId);
      expect(status).toBe(202);
      expect((await done(app, json.statusUrl as string, headers)).status).toBe("succeeded");
    };
    // The template's badge deleted and its product replaced by the green square, as a PNG and a JPEG.
    await submit(
      "/v2/create-composite",
      {
        image: { source: { url: psd } },
        edits: {
          layers: [
            { type: "layer", name: "Badge", operation: { type: "delete" } },
            {
              type: "smart_object_layer",
              name: "Product",
              operation: { type: "edit" },
              smartObject: { smartObjectFile: { source: { url: green } } },
            },
          ],
        },
        outputs: [hostedPng, hostedJpeg],
      },
      "createComposite",
    );
    await submit(
      "/v2/create-artboard",
      {
        images: [{ source: { url: green } }, { source: { url: green } }],
        artboardSpacing: 4,
        outputs: [hostedPng],
      },
      "createArtboard",
    );
    const invertBadge = [
      { _obj: "select", _target: [{ _ref: "layer", _name: "Badge" }] },
      { _obj: "invert" },
    ];
    await submit(
      "/v2/execute-actions",
      {
        image: { source: { url: psd } },
        options: {
          actions: [{ source: { content: JSON.stringify(invertBadge), contentType: "application/json" } }],
        },
        outputs: [hostedPng],
      },
      "executeActions",
    );
    await submit(
      "/v2/edit",
      { image: { source: { url: green } }, edits: { light: { exposure: -1 } }, outputs: [hostedPng] },
      "edit",
    );
    await submit("/v1/auto-crop", { image: { source: { url: subject } }, mode: "smartCrop" }, "autoCrop");

    // What each thumbnail must be, inputs first: its size (every image here is under 320 px, so
    // shown at its own size) and a pixel or two of the image it shows.
    const WHITE = [255, 255, 255, 255];
    const RED = [255, 0, 0, 255];
    const BLUE = [0, 0, 255, 255];
    const GREEN = [0, 255, 0, 255];
    const CYAN = [0, 255, 255, 255];
    type Expected = { label: string; size: [number, number]; pixels: [number, number, number[]][] };
    const template: Expected = {
      label: "input: input",
      size: [60, 40],
      pixels: [
        [15, 15, RED],
        [40, 20, BLUE],
      ],
    };
    const square = (label: string): Expected => ({ label, size: [8, 8], pixels: [[4, 4, GREEN]] });
    const filled: Expected["pixels"] = [
      [15, 15, WHITE],
      [40, 20, GREEN],
    ];
    const expected: Record<string, Expected[]> = {
      "create-composite": [
        template,
        square("input: layer: Product"),
        { label: "output: outputs", size: [60, 40], pixels: filled },
        { label: "output: outputs", size: [60, 40], pixels: filled },
      ],
      "create-artboard": [
        square("input: image 1"),
        square("input: image 2"),
        {
          label: "output: outputs",
          size: [20, 8],
          pixels: [
            [9, 0, [0, 0, 0, 0]],
            [12, 7, GREEN],
          ],
        },
      ],
      "execute-actions": [
        template,
        {
          label: "output: outputs",
          size: [60, 40],
          pixels: [
            [15, 15, CYAN],
            [40, 20, BLUE],
          ],
        },
      ],
      // −1 stop: the green at about half its sRGB level (linear light halved).
      edit: [
        square("input: input"),
        { label: "output: outputs", size: [8, 8], pixels: [[4, 4, [0, 186, 0, 255]]] },
      ],
      // The red disc on white, and its crop (a square about the disc: white corners, red centre).
      "auto-crop": [
        {
          label: "input: input",
          size: [96, 64],
          pixels: [
            [48, 32, [192, 32, 32, 255]],
            [2, 2, WHITE],
          ],
        },
        {
          label: "output: outputs",
          size: [62, 62],
          pixels: [
            [31, 31, [192, 32, 32, 255]],
            [1, 1, WHITE],
          ],
        },
      ],
    };

    const { jobs } = (await (await app.request("/__emulator/jobs")).json()) as {
      jobs: { jobId: string; kind: string }[];
    };
    expect(jobs.map((job) => job.kind).sort()).toEqual(Object.keys(expected).sort());
    const page = await (await app.request("/__emulator/ui/jobs")).text();
    // Every thumbnail the page links, with the caption of its figure, by job.
    const links = [
      ...page.matchAll(
        /src="(\/__emulator\/jobs\/([^/"]+)\/thumbnails\/(\d+)\?v=\d+)"[^>]*>\s*<figcaption>([^<]*)<\/figcaption>/g,
      ),
    ].map(([, href, id, index, caption]) => ({ href, id: decodeURIComponent(id ?? ""), index, caption }));
    for (const job of jobs) {
      const want = expected[job.kind] ?? [];
      const mine = links.filter((link) => link.id === job.jobId);
      expect(
        mine.map((link) => [link.index, link.caption]),
        job.kind,
      ).toEqual(want.map((image, i) => [String(i), image.label]));
      for (const [i, link] of mine.entries()) {
        const thumb = await app.request(link.href ?? "");
        expect([thumb.status, thumb.headers.get("content-type")]).toEqual([200, "image/png"]);
        const bytes = new Uint8Array(await thumb.arrayBuffer());
        const meta = await sharp(bytes).metadata();
        const { size, pixels, label } = want[i] as Expected;
        expect([meta.format, meta.width, meta.height], `${job.kind} ${label}`).toEqual(["png", ...size]);
        const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        for (const [x, y, rgba] of pixels) {
          const at = [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
          // Within a few levels: the JPEG output is lossy, and edit's level is computed.
          expect(
            at.every((v, c) => Math.abs(v - (rgba[c] ?? 0)) <= 6),
            `${job.kind} ${label} (${x}, ${y}): ${at} is not ${rgba}`,
          ).toBe(true);
        }
      }
    }
  });

  it("reports rate-limit windows and the trial quota", async () => {
    const { app } = testEmulator({ rateLimits: true, trialQuota: 5 });
    const headers = await authHeaders(app);
    await app.request("/pie/psdService/hello", { headers });
    await maskJob(app);
    const limits = (await (await app.request("/__emulator/limits")).json()) as {
      rateLimits: { enabled: boolean; windows: { rule: string; used: number }[] };
      trialQuota: { limit: number; clients: { clientId: string; used: number }[] };
    };
    expect(limits.rateLimits.enabled).toBe(true);
    expect(limits.rateLimits.windows.find((w) => w.rule === "get-3s")?.used).toBeGreaterThan(0);
    expect(limits.trialQuota).toMatchObject({ limit: 5, clients: [{ clientId: CLIENT_ID, used: 1 }] });
    const page = await (await app.request("/__emulator/ui/faults")).text();
    expect(page).toContain("5 successful submissions per client");
  });
});

describe("the event stream", () => {
  it("starts with ready, then names what changed, and ends after limit events", async () => {
    const { app } = testEmulator();
    const stream = await app.request("/__emulator/events?limit=2");
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const text = stream.text();
    await app.request("/pie/psdService/hello");
    const events = [...(await text).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events).toEqual(["ready", "journal"]);
    expect((await app.request("/__emulator/events?limit=x")).status).toBe(400);
  });

  it("refuses more than MAX_LISTENERS open streams with 503", async () => {
    const { app } = testEmulator();
    const open = await Promise.all(
      Array.from({ length: MAX_LISTENERS }, () => app.request("/__emulator/events")),
    );
    expect(open.every((response) => response.status === 200)).toBe(true);
    expect((await app.request("/__emulator/events")).status).toBe(503);
    await Promise.all(open.map((response) => response.body?.cancel()));
  });
});

describe("the control guard", () => {
  it("answers loopback peers only, unless exposeControl", async () => {
    const { app } = testEmulator();
    expect((await fromPeer(app, "http://127.0.0.1:4010/__emulator/clock", "127.0.0.1")).status).toBe(200);
    expect((await fromPeer(app, "http://127.0.0.1:4010/__emulator/clock", "::ffff:127.0.0.1")).status).toBe(
      200,
    );
    const remote = await fromPeer(app, "http://10.0.0.2:4010/__emulator/ui/jobs", "10.0.0.9");
    expect(remote.status).toBe(403);
    expect(await remote.json()).toMatchObject({ type: "ForbiddenError" });
    // The HTTP reference is under the same guard as the rest of the control API.
    expect((await fromPeer(app, "http://127.0.0.1:4010/__emulator/docs", "127.0.0.1")).status).toBe(200);
    expect((await fromPeer(app, "http://10.0.0.2:4010/__emulator/docs", "10.0.0.9")).status).toBe(403);
    expect(
      (await fromPeer(app, "http://10.0.0.2:4010/__emulator/docs/specs/current.json", "10.0.0.9")).status,
    ).toBe(403);
    // The API itself still answers a remote peer.
    expect((await fromPeer(app, "http://10.0.0.2:4010/pie/psdService/hello", "10.0.0.9")).status).toBe(401);
    const exposed = testEmulator({ exposeControl: true }).app;
    expect((await fromPeer(exposed, "http://10.0.0.2:4010/__emulator/clock", "10.0.0.9")).status).toBe(200);
  });

  it("refuses a Host that is not a loopback name (DNS rebinding) unless it is publicUrl's", async () => {
    const { app } = testEmulator();
    expect((await fromPeer(app, "http://evil.example:4010/__emulator/clock", "127.0.0.1")).status).toBe(403);
    expect((await fromPeer(app, "http://evil.example:4010/__emulator/docs", "127.0.0.1")).status).toBe(403);
    // A `*.localhost` name is a browser's own loopback name: no rebinding page can carry it.
    expect((await fromPeer(app, "http://psapi.localhost:4010/__emulator/clock", "127.0.0.1")).status).toBe(
      200,
    );
    const named = testEmulator({ publicUrl: "http://emulator.test:4010" }).app;
    expect((await fromPeer(named, "http://emulator.test:4010/__emulator/clock", "127.0.0.1")).status).toBe(
      200,
    );
  });

  it("refuses a state change from another origin and allows the page's own", async () => {
    const { app } = testEmulator();
    const reset = (headers: Record<string, string>) =>
      app.request("http://127.0.0.1:4010/__emulator/reset", { method: "POST", headers });
    expect((await reset({ origin: "http://evil.example" })).status).toBe(403);
    expect((await reset({ origin: "null" })).status).toBe(403);
    expect((await reset({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await reset({ "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await reset({ origin: "http://127.0.0.1:4010", "sec-fetch-site": "same-origin" })).status).toBe(
      204,
    );
    expect((await reset({})).status).toBe(204);
    // Reading is not a state change: a link from elsewhere may open the page.
    const page = await app.request("http://127.0.0.1:4010/__emulator/ui/jobs", {
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(page.status).toBe(200);
  });

  it("leaves the signed storage objects alone", async () => {
    const { app } = testEmulator();
    await upload(app, "in/a.png", await subjectPng());
    const url = await presign(app, "in/a.png", "GET");
    expect((await fromPeer(app, url.replace("localhost", "10.0.0.2"), "10.0.0.9")).status).toBe(200);
  });
});

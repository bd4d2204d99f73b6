import { writePsdUint8Array } from "ag-psd";
import { describe, expect, it } from "vitest";
import {
  advance,
  authHeaders,
  postJson,
  presign,
  subjectPng,
  testEmulator,
  upload,
} from "../testing/helpers.js";

type Link = { _links: { self: { href: string } } };
type PsdStatus = { jobId: string; outputs: Record<string, unknown>[]; _links: { self: { href: string } } };

describe("GET /pie/psdService/hello", () => {
  it("answers the documented greeting as text", async () => {
    const { app } = testEmulator();
    const res = await app.request("/pie/psdService/hello", { headers: await authHeaders(app) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("Welcome to the Photoshop API!");
  });
});

describe("POST /pie/psdService/documentManifest", () => {
  async function start(app: ReturnType<typeof testEmulator>["app"], href: string, storage = "external") {
    const headers = await authHeaders(app);
    const res = await app.request(
      "/pie/psdService/documentManifest",
      postJson({ inputs: [{ href, storage }] }, headers),
    );
    expect(res.status).toBe(202);
    return { headers, href: ((await res.json()) as Link)._links.self.href };
  }

  it("answers 202 while the job is pending or running and 200 with the manifest once done", async () => {
    const { app } = testEmulator({ jobs: { pendingMs: 100, runningMs: 100 } });
    await upload(app, "docs/photo.png", await subjectPng(40, 30));
    const input = await presign(app, "docs/photo.png", "GET");
    const { headers, href } = await start(app, input);
    expect(href).toMatch(/\/pie\/psdService\/status\/[0-9a-f-]{36}$/);

    const pending = await app.request(href, { headers });
    expect(pending.status).toBe(202);
    expect(pending.headers.get("location")).toBe(href);
    const pendingBody = (await pending.json()) as PsdStatus;
    expect(pendingBody.outputs).toEqual([expect.objectContaining({ input, status: "pending" })]);
    expect(href.endsWith(pendingBody.jobId)).toBe(true);

    await advance(app, 100);
    const running = await app.request(href, { headers });
    expect(running.status).toBe(202);
    expect(((await running.json()) as PsdStatus).outputs[0]).toMatchObject({ status: "running" });

    await advance(app, 100);
    const done = await app.request(href, { headers });
    expect(done.status).toBe(200);
    const output = ((await done.json()) as PsdStatus).outputs[0];
    expect(output).toMatchObject({
      status: "succeeded",
      document: { name: "photo.png", width: 40, height: 30 },
      layers: [
        expect.objectContaining({
          type: "backgroundLayer",
          bounds: { top: 0, left: 0, width: 40, height: 30 },
        }),
      ],
    });
    expect(output).not.toHaveProperty("errors");
  });

  it("reads the layer tree of a PSD in adobe storage", async () => {
    const { app } = testEmulator();
    const psd = writePsdUint8Array({
      width: 20,
      height: 10,
      children: [
        { name: "Group", children: [{ name: "Inner", left: 1, top: 1, right: 5, bottom: 5 }] },
        { name: "Top", left: 2, top: 2, right: 8, bottom: 6 },
      ],
    });
    await upload(app, "files/Example.psd", psd, "image/vnd.adobe.photoshop");
    const { headers, href } = await start(app, "files/Example.psd", "adobe");
    await advance(app, 0);
    const res = await app.request(href, { headers });
    expect(res.status).toBe(200);
    const output = ((await res.json()) as PsdStatus).outputs[0] as {
      document: unknown;
      layers: { name: string }[];
    };
    expect(output.document).toMatchObject({ name: "Example.psd", width: 20, height: 10 });
    expect(output.layers.map((layer) => layer.name)).toEqual(expect.arrayContaining(["Group", "Top"]));
  });

  it("reports a missing input object as a failed output with ResourceNotFound 404 (HTTP 200)", async () => {
    const { app } = testEmulator();
    const { headers, href } = await start(app, await presign(app, "docs/missing.psd", "GET"));
    await advance(app, 0);
    const res = await app.request(href, { headers });
    expect(res.status).toBe(200);
    expect(((await res.json()) as PsdStatus).outputs[0]).toMatchObject({
      status: "failed",
      errors: { type: "ResourceNotFound", code: 404 },
    });
  });

  it("refuses more than one input and an empty options object with 400", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const input = { href: "files/a.psd", storage: "adobe" };
    for (const body of [{ inputs: [input, input] }, { inputs: [input], options: {} }, { inputs: [] }]) {
      const res = await app.request("/pie/psdService/documentManifest", postJson(body, headers));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: "InputValidationError", reason: [expect.anything()] });
    }
  });

  it("answers 404 ResourceNotFound for an unknown job and for a sensei job id", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const unknown = await app.request("/pie/psdService/status/nope", { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: "ResourceNotFound", code: 404 });
    const mask = await app.request(
      "/sensei/mask",
      postJson(
        {
          input: { href: "files/a.png", storage: "adobe" },
          output: { href: "files/b.png", storage: "adobe" },
        },
        headers,
      ),
    );
    const id = ((await mask.json()) as Link)._links.self.href.split("/").pop();
    expect((await app.request(`/pie/psdService/status/${id}`, { headers })).status).toBe(404);
  });
});

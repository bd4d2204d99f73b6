import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { createPhotoshopClient } from "./client.js";
import { RetiredOperationError } from "./errors/retired-operation-error.js";
import {
  autoCrop,
  createArtboard,
  createComposite,
  createMask,
  edit,
  generateManifest,
  getManifestStatus,
  getMaskingJobStatus,
  maskObjects,
  removeBackground,
} from "./operations.js";
import { waitForJob } from "./run-operation.js";
import { fakeAuth } from "./testing/fake-auth.js";
import { json, type Reply, scriptedFetch } from "./testing/fake-fetch.js";

const IMAGE = { image: { source: { url: "https://bucket.example/in.jpg" } } };

/** The core client of `@psapi/client` on a fake clock and a scripted fetch, against Adobe's hosts. */
function core(replies: readonly Reply[]) {
  const clock = createFakeClock();
  const { fetch, seen } = scriptedFetch(clock, replies);
  const client = createPhotoshopClient({ auth: fakeAuth(), fetch, clock, random: () => 0 });
  return { clock, seen, client };
}

describe("the operation functions on the core client", () => {
  it("removeBackground(client, body) posts with the token and User-Agent, and job.wait() polls to the end", async () => {
    const statusUrl = "https://image.adobe.io/v2/status/urn:ff:jobs:1";
    const { clock, seen, client } = core([
      json(202, { jobId: "urn:ff:jobs:1", statusUrl }),
      json(200, { jobId: "urn:ff:jobs:1", status: "running" }),
      json(200, { jobId: "urn:ff:jobs:1", status: "succeeded", result: { outputs: [] } }),
    ]);
    const job = await removeBackground(client, { ...IMAGE, mode: "mask" });
    expect([job.jobId, job.statusUrl]).toEqual(["urn:ff:jobs:1", statusUrl]);
    const done = await clock.run(job.wait());
    expect(done.status).toBe("succeeded");
    expect(seen.map(({ method, url }) => `${method} ${url}`)).toEqual([
      "POST https://image.adobe.io/v2/remove-background",
      `GET ${statusUrl}`,
      `GET ${statusUrl}`,
    ]);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ ...IMAGE, mode: "mask" });
    expect(seen[0]?.headers.get("content-type")).toBe("application/json");
    expect(seen[0]?.headers.get("authorization")).toMatch(/^Bearer /);
    expect(seen[1]?.headers.get("user-agent")).toMatch(/psapi-client\//);
  });

  it("sends each operation to the host its table row names", async () => {
    const { seen, client } = core([
      json(202, { jobId: "m1" }),
      json(200, { jobId: "m1", status: "running" }),
      json(202, { jobId: "g1" }),
      json(200, { jobId: "g1", status: "running" }),
    ]);
    const masks = await maskObjects(client, IMAGE);
    await getMaskingJobStatus(client, "m1");
    const manifest = await generateManifest(client, { ...IMAGE, outputs: [] });
    await getManifestStatus(client, "g1");
    expect(masks.statusUrl).toBe("https://image.adobe.io/v1/status/m1");
    expect(manifest.statusUrl).toBe("https://photoshop-api.adobe.io/v2/status/g1");
    expect(seen.map(({ method, url }) => `${method} ${url}`)).toEqual([
      "POST https://image.adobe.io/v1/mask-objects",
      "GET https://image.adobe.io/v1/status/m1",
      "POST https://photoshop-api.adobe.io/v2/generate-manifest",
      "GET https://photoshop-api.adobe.io/v2/status/g1",
    ]);
  });

  it("sends the v2 document operations and edit to photoshop-api.adobe.io, autoCrop to image.adobe.io, and polls each on its own host", async () => {
    // The scripted answers in request order: the four submissions, then one poll of each.
    const ids = ["c1", "a1", "e1", "k1"];
    const { clock, seen, client } = core([
      ...ids.map((id) => json(202, { jobId: id })),
      ...ids.map((id) => json(200, { jobId: id, status: "succeeded", result: { outputs: [] } })),
    ]);
    const png = [{ destination: { validityPeriod: 600 }, mediaType: "image/png" as const }];
    const jobs = [
      await createComposite(client, { ...IMAGE, outputs: png }),
      await createArtboard(client, { images: [IMAGE.image], outputs: png }),
      await edit(client, { ...IMAGE, edits: { autoTone: true }, outputs: png }),
      await autoCrop(client, { ...IMAGE, mode: "smartCrop" }),
    ];
    // One poll each, to the status URL the client made from the row (no statusUrl in the 202s).
    for (const job of jobs) await clock.run(job.wait());
    expect(jobs.map((job) => job.statusUrl)).toEqual([
      "https://photoshop-api.adobe.io/v2/status/c1",
      "https://photoshop-api.adobe.io/v2/status/a1",
      "https://photoshop-api.adobe.io/v2/status/e1",
      "https://image.adobe.io/v2/status/k1",
    ]);
    expect(seen.map(({ method, url }) => `${method} ${url}`)).toEqual([
      "POST https://photoshop-api.adobe.io/v2/create-composite",
      "POST https://photoshop-api.adobe.io/v2/create-artboard",
      "POST https://photoshop-api.adobe.io/v2/edit",
      "POST https://image.adobe.io/v1/auto-crop",
      "GET https://photoshop-api.adobe.io/v2/status/c1",
      "GET https://photoshop-api.adobe.io/v2/status/a1",
      "GET https://photoshop-api.adobe.io/v2/status/e1",
      "GET https://image.adobe.io/v2/status/k1",
    ]);
  });

  it("refuses a retired operation on Adobe's host, and checks its arguments, before sending anything", async () => {
    const { seen, client } = core([json(500, {})]);
    const retired = await createMask(client, {
      input: { href: "https://bucket.example/in.jpg", storage: "external" },
      output: { href: "https://bucket.example/out.png", storage: "external" },
    }).catch((error: unknown) => error);
    expect(retired).toBeInstanceOf(RetiredOperationError);
    await expect(removeBackground(client, "cat.jpg" as never)).rejects.toThrow(
      "[@psapi/client] removeBackground(body): body must be an object",
    );
    await expect(removeBackground({} as never, IMAGE)).rejects.toThrow(
      /client must be what createPhotoshopClient returns/,
    );
    await expect(waitForJob(client, "ftp://image.adobe.io/x")).rejects.toThrow(
      /statusUrl must be an http\(s\) URL/,
    );
    expect(seen).toEqual([]);
  });
});

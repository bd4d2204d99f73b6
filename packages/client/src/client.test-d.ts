import { createStaticTokenAuth } from "@psapi/auth";
import type { paths } from "@psapi/openapi-types/photoshop";
import createClient, { type Middleware } from "openapi-fetch";
import { describe, expectTypeOf, it } from "vitest";
import type { JobHandle, PhotoshopClient } from "./all.js";
import type { WaitOptions } from "./jobs/wait-for-job.js";
import { createAuthMiddleware } from "./middleware/auth.js";
import type { CreateMaskRequest, JobStatus, PsJobStatus, SenseiJobStatus } from "./types.js";

declare const client: PhotoshopClient;
const input = { href: "https://bucket.example/in.jpg", storage: "external" } as const;
const output = { href: "https://bucket.example/out.png", storage: "external" } as const;

describe("operation types flow from the generated OpenAPI types", () => {
  it("createMask takes the spec's body and returns a Sensei job handle", () => {
    expectTypeOf(client.createMask).parameter(0).toEqualTypeOf<CreateMaskRequest>();
    expectTypeOf(client.createMask({ input, output })).resolves.toEqualTypeOf<JobHandle<SenseiJobStatus>>();
    expectTypeOf<Awaited<ReturnType<JobHandle<SenseiJobStatus>["wait"]>>>().toEqualTypeOf<SenseiJobStatus>();
  });

  it("getDocumentManifest waits for a psdService status", () => {
    expectTypeOf(client.getDocumentManifest({ inputs: [input] })).resolves.toEqualTypeOf<
      JobHandle<PsJobStatus>
    >();
    expectTypeOf<PsJobStatus["outputs"][number]["status"]>().toEqualTypeOf<
      "pending" | "running" | "uploading" | "succeeded" | "failed"
    >();
  });

  it("status bodies are typed, jobId is always a string", () => {
    expectTypeOf(client.getMaskStatus("j")).resolves.toEqualTypeOf<SenseiJobStatus>();
    expectTypeOf<SenseiJobStatus["jobId"]>().toEqualTypeOf<string>();
    expectTypeOf<SenseiJobStatus["status"]>().toEqualTypeOf<"pending" | "running" | "succeeded" | "failed">();
    expectTypeOf(
      client.waitForJob("https://image.adobe.io/sensei/status/j"),
    ).resolves.toEqualTypeOf<JobStatus>();
    expectTypeOf(client.hello()).resolves.toEqualTypeOf<string>();
  });

  it("onProgress receives the handle's status type", () => {
    expectTypeOf<NonNullable<WaitOptions<SenseiJobStatus>["onProgress"]>>()
      .parameter(0)
      .toEqualTypeOf<SenseiJobStatus>();
  });

  it("a wrong request body does not compile", () => {
    // @ts-expect-error: output is required
    void client.createMask({ input });
    // @ts-expect-error: "s3" is not a storage type
    void client.createMask({ input: { href: "https://x", storage: "s3" }, output });
    // @ts-expect-error: mask.format is soft | binary
    void client.removeBackground({ input, output: { ...output, mask: { format: "hard" } } });
    // @ts-expect-error: unknown field (additionalProperties: false)
    void client.createMask({ input, output, extra: true });
    // @ts-expect-error: documentManifest takes inputs[], not input
    void client.getDocumentManifest({ input });
    // @ts-expect-error: thumbnails.type is an image media type
    void client.getDocumentManifest({ inputs: [input], options: { thumbnails: { type: "image/gif" } } });
    // @ts-expect-error: the job id is a string
    void client.getPsdStatus(42);
  });

  it("the raw client is typed by path", () => {
    expectTypeOf(client.raw.GET)
      .parameter(0)
      .toEqualTypeOf<"/pie/psdService/hello" | "/pie/psdService/status/{jobId}" | "/sensei/status/{jobId}">();
    // @ts-expect-error: no such path
    void client.raw.GET("/nope");
  });
});

describe("the one auth middleware", () => {
  it("is an openapi-fetch Middleware, so client.use(createAuthMiddleware({ auth, baseUrl })) compiles", () => {
    const auth = createStaticTokenAuth({ accessToken: "t", clientId: "c" });
    const middleware = createAuthMiddleware({ auth, baseUrl: "https://image.adobe.io" });
    expectTypeOf(middleware).toExtend<Middleware>();
    client.raw.use(middleware);
    createClient<paths>({ baseUrl: "https://image.adobe.io" }).use(middleware);
    // @ts-expect-error: the check has teeth: a hook that expects something else than a Request is refused
    client.raw.use({ onRequest: (_: { request: number }) => undefined });
  });
});

import { describe, expectTypeOf, it } from "vitest";
import type { JobHandle, PhotoshopClient } from "./all.js";
import type { JobOutputFile } from "./jobs/job-outputs.js";
import type { MaskingJobStatus, RemoveBackgroundV2Request, SenseiJobStatus, V2JobStatus } from "./types.js";

declare const client: PhotoshopClient;
const image = { source: { url: "https://bucket.s3.amazonaws.com/in.jpg" } };
const input = { href: "https://bucket.example/in.jpg", storage: "external" } as const;
const output = { href: "https://bucket.example/out.png", storage: "external" } as const;

describe("the current contract's types flow from photoshop-current.yaml", () => {
  it("removeBackground picks its contract from the body: image → v2 status, input/output → Sensei", () => {
    expectTypeOf(client.removeBackground({ image, mode: "mask" })).resolves.toEqualTypeOf<
      JobHandle<V2JobStatus>
    >();
    expectTypeOf(client.removeBackground({ input, output })).resolves.toEqualTypeOf<
      JobHandle<SenseiJobStatus>
    >();
    expectTypeOf<RemoveBackgroundV2Request["mode"]>().toEqualTypeOf<"cutout" | "mask" | "psd" | undefined>();
  });

  it("masking operations wait for the masking status, generateManifest for the v2 status", () => {
    expectTypeOf(client.maskObjects({ image })).resolves.toEqualTypeOf<JobHandle<MaskingJobStatus>>();
    expectTypeOf(client.fillMaskedAreas({ image, masks: [image] })).resolves.toEqualTypeOf<
      JobHandle<MaskingJobStatus>
    >();
    expectTypeOf(
      client.generateManifest({
        image,
        outputs: [{ destination: { embedded: "json" }, mediaType: "application/json" }],
      }),
    ).resolves.toEqualTypeOf<JobHandle<V2JobStatus>>();
    expectTypeOf(client.getMaskingJobStatus("j")).resolves.toEqualTypeOf<MaskingJobStatus>();
    expectTypeOf<JobOutputFile["boundingBox"]>().toEqualTypeOf<
      { x: number; y: number; width: number; height: number } | undefined
    >();
  });

  it("a wrong current-contract body does not compile", () => {
    // @ts-expect-error: mode is cutout | mask | psd
    void client.removeBackground({ image, mode: "outline" });
    // @ts-expect-error: refine-mask's colorDecontamination is a boolean (remove-background's is a number)
    void client.refineMask({ image, mask: image, colorDecontamination: 0.5 });
    // @ts-expect-error: fill-masked-areas takes masks[], not mask
    void client.fillMaskedAreas({ image, mask: image });
    // @ts-expect-error: a manifest output needs a destination
    void client.generateManifest({ image, outputs: [{ mediaType: "application/json" }] });
    // @ts-expect-error: TIFF is an input type only
    void client.removeBackground({ image, output: { mediaType: "image/tiff" } });
  });
});

import type { components } from "@psapi/openapi-types/photoshop-current";
import { describe, expectTypeOf, it } from "vitest";
import { toManifestV2 } from "../imaging/manifest-v2.js";
import type { CurrentJobResult } from "../jobs/jobs.js";
import { maskingStatusBody, v2StatusBody } from "./views.js";

type Schemas = components["schemas"];

// Type-level: the current contract's bodies are the generated spec types, not hand-written copies
// (checked by tsc in `pnpm typecheck`; the runtime assertions are no-ops).
describe("the current contract's types come from @psapi/openapi-types", () => {
  it("builds the v2 manifest and the status bodies as the spec's schemas", () => {
    expectTypeOf(toManifestV2).returns.toEqualTypeOf<Schemas["ManifestV2"]>();
    expectTypeOf(v2StatusBody).returns.toEqualTypeOf<Schemas["V2JobStatus"]>();
    expectTypeOf(maskingStatusBody).returns.toEqualTypeOf<Schemas["MaskingJobStatus"]>();
  });

  it("keeps a job's result in the spec's result shapes", () => {
    expectTypeOf<NonNullable<Schemas["V2JobStatus"]["result"]>>().toExtend<CurrentJobResult>();
    expectTypeOf<Pick<Schemas["MaskingJobStatus"], "masks" | "image">>().toExtend<CurrentJobResult>();
  });
});

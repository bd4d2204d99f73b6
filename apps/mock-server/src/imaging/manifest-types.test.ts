import { createSpecSet, loadSpec } from "@psapi/openapi";
import { describe, expect, it } from "vitest";
import { MANIFEST_LAYER_TYPES } from "./manifest-types.js";

describe("MANIFEST_LAYER_TYPES", () => {
  it("are exactly the spec's LayerType enum (photoshop.yaml), no more, no fewer", () => {
    const spec = loadSpec("photoshop.yaml");
    const specs = createSpecSet([spec]);
    const layerType = specs.child(specs.root(spec.id), "components", "schemas", "LayerType");
    const { enum: values } = (layerType?.value ?? {}) as { enum?: string[] };
    expect(values?.length).toBeGreaterThan(0);
    expect([...MANIFEST_LAYER_TYPES].sort()).toEqual([...(values ?? [])].sort());
  });

  it("each validates as a layer's `type` against the spec's Layer schema", () => {
    const spec = loadSpec("photoshop.yaml");
    const specs = createSpecSet([spec]);
    const layerType = specs.child(specs.root(spec.id), "components", "schemas", "LayerType");
    if (!layerType) throw new Error("photoshop.yaml has no LayerType");
    const validate = specs.validator(layerType);
    for (const type of MANIFEST_LAYER_TYPES) expect(validate(type), type).toBe(true);
    expect(validate("groupLayer")).toBe(false);
  });
});

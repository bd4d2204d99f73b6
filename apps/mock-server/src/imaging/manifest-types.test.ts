import { createSpecSet, loadSpec } from "@psapi/openapi";
import type { components } from "@psapi/openapi-types/photoshop";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  MANIFEST_LAYER_TYPES,
  type ManifestDocument,
  type ManifestLayer,
  type ManifestLayerType,
} from "./manifest-types.js";

describe("MANIFEST_LAYER_TYPES", () => {
  it("are exactly the spec's LayerType enum (photoshop.yaml), no more, no fewer", () => {
    const spec = loadSpec("photoshop.yaml");
    const specs = createSpecSet([spec]);
    const layerType = specs.child(specs.root(spec.id), "components", "schemas", "LayerType");
    const { enum: values } = (layerType?.value ?? {}) as { enum?: string[] };
    expect(values?.length).toBeGreaterThan(0);
    expect([...MANIFEST_LAYER_TYPES].sort()).toEqual([...(values ?? [])].sort());
  });

  it("as a type, covers exactly the generated LayerType (checked by the typecheck)", () => {
    expectTypeOf<(typeof MANIFEST_LAYER_TYPES)[number]>().toEqualTypeOf<ManifestLayerType>();
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

  it("what the emulator writes is a manifest as the spec describes it (checked by the typecheck)", () => {
    // The emulator's types are narrower than the spec's (it always writes what a reader may find
    // absent), never different: a field whose type differs from the spec's fails here.
    expectTypeOf<ManifestLayer>().toExtend<components["schemas"]["Layer"]>();
    expectTypeOf<ManifestDocument>().toExtend<components["schemas"]["ManifestDocument"]>();
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createAjv, loadSpec, SPEC_NAMES, specPath } from "./index.js";

describe("loadSpec", () => {
  it("parses every shipped spec once per process, under its file URL", () => {
    for (const name of SPEC_NAMES) {
      const spec = loadSpec(name);
      expect(spec.id).toBe(new URL(`../${name}`, import.meta.url).href);
      expect(spec.document).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
      expect(loadSpec(name)).toBe(spec);
      expect(readFileSync(specPath(name), "utf8")).toContain("openapi:");
    }
  });

  it("reads what the YAML says, also through the build's parsed copy (dist/parsed/, when built)", () => {
    for (const name of SPEC_NAMES) {
      expect(loadSpec(name).document).toEqual(parse(readFileSync(specPath(name), "utf8")));
    }
  });

  it("refuses a name it does not ship, and says which it does", () => {
    // @ts-expect-error: not a SpecName
    expect(() => loadSpec("../package.json")).toThrow(
      /no spec named "\.\.\/package\.json" \(known: photoshop\.yaml/,
    );
  });
});

describe("createAjv", () => {
  it("compiles a schema of a registered spec by reference, with formats checked and OpenAPI's accepted", () => {
    const ajv = createAjv([
      {
        id: "https://spec.example/tiny.yaml",
        document: {
          components: {
            schemas: {
              Job: {
                type: "object",
                required: ["id", "at", "size"],
                properties: {
                  id: { type: "string" },
                  at: { type: "string", format: "date-time" },
                  size: { type: "integer", format: "int64" },
                },
              },
            },
          },
        },
      },
    ]);
    const validate = ajv.compile({ $ref: "https://spec.example/tiny.yaml#/components/schemas/Job" });
    expect(validate({ id: "j", at: "2026-01-01T00:00:00Z", size: 3 })).toBe(true);
    expect(validate({ id: "j", at: "yesterday", size: 3 })).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toEqual(["/at"]);
    expect(validate({ at: "yesterday" })).toBe(false);
    expect(validate.errors).toHaveLength(3); // allErrors: both missing properties and the format
  });

  it("registers every shipped spec together", () => {
    const ajv = createAjv(SPEC_NAMES.map(loadSpec));
    const { id } = loadSpec("ims.yaml");
    expect(ajv.getSchema(id)).toBeTypeOf("function");
  });
});

describe("SPEC_NAMES", () => {
  it("is exactly the YAML files the package exports and publishes", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    const exported = Object.keys(manifest.exports)
      .filter((key) => key.endsWith(".yaml"))
      .map((key) => key.slice(2));
    expect([...SPEC_NAMES].sort()).toEqual(exported.sort());
    expect([...SPEC_NAMES].sort()).toEqual(manifest.files.filter((file) => file.endsWith(".yaml")).sort());
  });
});

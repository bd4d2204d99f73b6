import { describe, expect, it } from "vitest";
import { createSpecSet, loadSpec, pointerTokens, type SpecDocument } from "./index.js";

const ID = "https://spec.example/tiny.yaml";
const OTHER = "https://spec.example/other.yaml";

const tiny: SpecDocument = {
  id: ID,
  document: {
    openapi: "3.1.0",
    paths: {
      "/things/{id}": {
        parameters: [{ $ref: "#/components/parameters/Id" }],
        get: {
          operationId: "getThing",
          responses: {
            "200": {
              description: "ok",
              headers: { "Retry-After": { $ref: "#/components/headers/RetryAfter" } },
              content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
            },
            "404": { $ref: "other.yaml#/components/responses/NotFound" },
          },
        },
        put: {
          requestBody: { $ref: "#/components/requestBodies/Chain" },
          responses: { "204": { description: "stored" } },
        },
      },
    },
    components: {
      parameters: { Id: { name: "id", in: "path", required: true, schema: { type: "string" } } },
      headers: { RetryAfter: { schema: { type: "integer", minimum: 0 } } },
      requestBodies: {
        // A chain of two references, and a schema whose `$ref` has a sibling keyword.
        Chain: { $ref: "#/components/requestBodies/Thing" },
        Thing: {
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/Thing", required: ["size"] } },
          },
        },
      },
      schemas: {
        Thing: {
          type: "object",
          required: ["id"],
          properties: {
            id: { type: "string" },
            size: { type: "integer" },
            parts: { $ref: "#/components/schemas/Parts" },
          },
        },
        Parts: { type: "array", items: { $ref: "#/components/schemas/Thing" } },
      },
    },
  },
};
const other: SpecDocument = {
  id: OTHER,
  document: {
    components: {
      responses: {
        NotFound: {
          description: "no such thing",
          content: { "application/json": { schema: { type: "object", required: ["error_code"] } } },
        },
      },
    },
  },
};

describe("createSpecSet", () => {
  it("lists every operation with its path item, in document order", () => {
    const specs = createSpecSet([tiny, other]);
    expect(
      specs.operations().map(({ method, template, operationId }) => [method, template, operationId]),
    ).toEqual([
      ["get", "/things/{id}", "getThing"],
      ["put", "/things/{id}", undefined],
    ]);
  });

  it("follows Reference Objects, also across documents and along a chain, and names where it landed", () => {
    const specs = createSpecSet([tiny, other]);
    const [get, put] = specs.operations();
    if (!get || !put) throw new Error("operations missing");
    const notFound = specs.child(get.node, "responses", "404");
    expect(notFound?.uri).toBe(`${OTHER}#/components/responses/NotFound`);
    expect(notFound?.value).toMatchObject({ description: "no such thing" });
    const body = specs.child(put.node, "requestBody");
    expect(body?.uri).toBe(`${ID}#/components/requestBodies/Thing`);
    const [[, parameter] = []] = specs.children(specs.child(get.pathItem, "parameters"));
    expect(parameter?.value).toMatchObject({ name: "id", in: "path" });
    expect(specs.child(get.node, "responses", "500")).toBeUndefined();
    // The path's `{id}` and `/` are escaped in the pointer and the URI, so Ajv can resolve it.
    expect(get.node.uri).toBe(`${ID}#/paths/~1things~1%7Bid%7D/get`);
  });

  it("validates each schema where it is written: a `$ref` with a sibling keeps both", () => {
    const specs = createSpecSet([tiny, other]);
    const [get, put] = specs.operations();
    if (!get || !put) throw new Error("operations missing");
    const request = specs.child(put.node, "requestBody", "content", "application/json", "schema");
    if (!request) throw new Error("no request schema");
    const validateRequest = specs.validator(request);
    expect(validateRequest({ id: "a", size: 1 })).toBe(true);
    expect(validateRequest({ id: "a" })).toBe(false); // the sibling `required: ["size"]`
    expect(validateRequest({ size: 1 })).toBe(false); // Thing's own `required: ["id"]`
    const response = specs.child(get.node, "responses", "200", "content", "application/json", "schema");
    if (!response) throw new Error("no response schema");
    expect(specs.validator(response)({ id: "a", parts: [{ id: "b", parts: [{}] }] })).toBe(false);
    expect(specs.validator(response)).toBe(specs.validator(response)); // compiled once
    const header = specs.child(get.node, "responses", "200", "headers", "Retry-After", "schema");
    if (!header) throw new Error("no header schema");
    expect(specs.validator(header)(-1)).toBe(false);
  });

  it("names the `$ref` it cannot resolve, and stops a `$ref` loop", () => {
    const broken = createSpecSet([
      {
        id: ID,
        document: {
          paths: { "/a": { get: { responses: { "200": { $ref: "#/components/responses/Gone" } } } } },
          components: { responses: { Loop: { $ref: "#/components/responses/Loop" } } },
        },
      },
    ]);
    const [get] = broken.operations();
    if (!get) throw new Error("operation missing");
    expect(() => broken.child(get.node, "responses", "200")).toThrow(
      `unresolvable $ref ${ID}#/components/responses/Gone`,
    );
    const loop = { value: { $ref: "#/components/responses/Loop" }, uri: `${ID}#/x` };
    expect(() => broken.resolve(loop)).toThrow(/\$ref cycle/);
    expect(() => broken.root("https://spec.example/none.yaml")).toThrow(RangeError);
  });

  it("inlines a schema's `$ref`s and cuts a recursive one at the given depth", () => {
    const specs = createSpecSet([tiny]);
    const thing = specs.child(specs.root(ID), "components", "schemas", "Thing");
    if (!thing) throw new Error("no Thing");
    const inlined = specs.inline(thing, 2) as {
      properties: { parts: { items: { properties: { parts: unknown } } } };
    };
    expect(inlined.properties.parts.items.properties.parts).toEqual({});
    expect(JSON.stringify(inlined)).not.toContain("$ref");
  });

  it("reads every shipped spec: each operation's JSON schemas compile", () => {
    const specs = createSpecSet(
      ["photoshop.yaml", "photoshop-current.yaml", "ims.yaml", "emulator.yaml"].map((name) =>
        loadSpec(name as "ims.yaml"),
      ),
    );
    let compiled = 0;
    let requestBodies = 0;
    for (const operation of specs.operations()) {
      // The emulator compiles a request body's schema on the first body it checks, not at start-up:
      // this is where a schema that does not compile is caught.
      const body = specs.child(operation.node, "requestBody", "content", "application/json", "schema");
      if (body) {
        expect(specs.validator(body)).toBeTypeOf("function");
        requestBodies += 1;
      }
      for (const [, response] of specs.children(specs.child(operation.node, "responses"))) {
        const schema = specs.child(response, "content", "application/json", "schema");
        if (schema) {
          expect(specs.validator(schema)).toBeTypeOf("function");
          compiled += 1;
        }
      }
    }
    expect(compiled).toBeGreaterThan(40);
    expect(requestBodies).toBeGreaterThan(15);
  });
});

describe("pointerTokens", () => {
  it("unescapes each segment of a JSON pointer", () => {
    expect(pointerTokens("/a~1b/0/c~0d")).toEqual(["a/b", "0", "c~d"]);
    expect(pointerTokens("")).toEqual([]);
  });
});

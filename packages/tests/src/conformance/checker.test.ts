import { describe, expect, it } from "vitest";
import { createConformanceChecker } from "./checker.js";
import { recordingFetch } from "./recording-fetch.js";
import { loadPsapiSpecs } from "./spec-documents.js";

const TINY_SPEC = {
  openapi: "3.1.0",
  info: { title: "tiny", version: "1" },
  servers: [{ url: "https://tiny.example/api" }],
  paths: {
    "/things/{id}": {
      get: {
        operationId: "getThing",
        responses: {
          "200": {
            description: "a thing",
            headers: {
              "X-Count": { required: true, schema: { type: "integer", minimum: 0 } },
            },
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
    },
    "/things/special": {
      get: { operationId: "getSpecial", responses: { "204": { description: "nothing" } } },
    },
    "/hello": {
      get: {
        operationId: "hello",
        responses: {
          "200": {
            description: "text",
            content: { "text/plain": { schema: { type: "string", minLength: 1 } } },
          },
          "5XX": { description: "any server error" },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: "object",
        required: ["id", "created"],
        properties: { id: { type: "string" }, created: { type: "string", format: "date-time" } },
        example: { id: "a", created: "2026-01-01T00:00:00Z" },
      },
    },
    responses: {
      NotFound: {
        description: "missing",
        content: {
          "application/json": {
            schema: { type: "object", required: ["title"], properties: { title: { type: "string" } } },
          },
        },
      },
    },
  },
};

const checker = createConformanceChecker([{ id: "https://tiny.example/spec.yaml", document: TINY_SPEC }]);
const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });
const problemsOf = async (method: string, path: string, response: Response) =>
  (await checker.check({ method, url: `https://tiny.example${path}` }, response)).map((v) => v.problem);

describe("createConformanceChecker", () => {
  it("accepts a response that matches the declared status, headers and schema", async () => {
    const ok = json({ id: "a", created: "2026-01-01T00:00:00Z" }, 200, { "x-count": "3" });
    expect(await problemsOf("GET", "/api/things/a", ok)).toEqual([]);
  });

  it("reports a status the operation does not declare", async () => {
    const problems = await problemsOf("GET", "/api/things/a", json({ id: "a" }, 418));
    expect(problems).toEqual(["status 418 is not declared for getThing"]);
  });

  it("reports a body that breaks the schema, with the failing field", async () => {
    const bad = json({ id: 7, created: "yesterday" }, 200, { "x-count": "1" });
    const [problem, ...rest] = await problemsOf("GET", "/api/things/a", bad);
    expect(rest).toEqual([]);
    expect(problem).toContain("body does not match application/json schema");
    expect(problem).toContain("/id must be string");
    expect(problem).toContain('/created must match format "date-time"');
  });

  it("reports a route the spec does not declare, and a method it does not declare", async () => {
    expect(await problemsOf("GET", "/api/nothing", json({}, 200))).toEqual([
      "no operation in the spec declares this method and path",
    ]);
    expect(await problemsOf("DELETE", "/api/things/a", json({}, 200))).toEqual([
      "no operation in the spec declares this method and path",
    ]);
  });

  it("reports a missing required header and a header value that breaks its schema", async () => {
    const body = { id: "a", created: "2026-01-01T00:00:00Z" };
    expect(await problemsOf("GET", "/api/things/a", json(body, 200))).toEqual([
      "required header X-Count is missing",
    ]);
    const [problem] = await problemsOf("GET", "/api/things/a", json(body, 200, { "x-count": "-1" }));
    expect(problem).toMatch(/^header X-Count: "-1" .*must be >= 0/);
  });

  it("follows a $ref to a shared response and checks its schema", async () => {
    expect(await problemsOf("GET", "/api/things/zz", json({ title: "gone" }, 404))).toEqual([]);
    const [problem] = await problemsOf("GET", "/api/things/zz", json({ message: "gone" }, 404));
    expect(problem).toContain("must have required property 'title'");
  });

  it("lists every declared operation", () => {
    expect(checker.operations().map((operation) => `${operation.method} ${operation.operationId}`)).toEqual([
      "GET getSpecial",
      "GET hello",
      "GET getThing",
    ]);
  });

  it("routes a literal path before a templated one", async () => {
    expect(checker.match("GET", "https://tiny.example/api/things/special")?.operationId).toBe("getSpecial");
    expect(checker.match("GET", "https://tiny.example/api/things/other")?.operationId).toBe("getThing");
    expect(await problemsOf("GET", "/api/things/special", new Response(null, { status: 204 }))).toEqual([]);
  });

  it("reports a wrong content type, a body that is not JSON, and a body where none is declared", async () => {
    const text = new Response("hi", {
      status: 200,
      headers: { "content-type": "text/html", "x-count": "1" },
    });
    expect(await problemsOf("GET", "/api/things/a", text)).toEqual([
      'content-type "text/html" is not one of application/json',
    ]);
    const broken = new Response("{", {
      status: 200,
      headers: { "content-type": "application/json", "x-count": "1" },
    });
    expect(await problemsOf("GET", "/api/things/a", broken)).toEqual(['body is not valid JSON: "{"']);
    expect(await problemsOf("GET", "/api/hello", new Response("oops", { status: 503 }))).toEqual([
      "a body (text/plain) where the spec declares none",
    ]);
  });

  it("uses a declared NXX range but never an undeclared default", async () => {
    expect(await problemsOf("GET", "/api/hello", new Response(null, { status: 502 }))).toEqual([]);
    expect(await problemsOf("GET", "/api/hello", new Response(null, { status: 404 }))).toEqual([
      "status 404 is not declared for hello",
    ]);
    const empty = new Response("", { status: 200, headers: { "content-type": "text/plain" } });
    const [problem] = await problemsOf("GET", "/api/hello", empty);
    expect(problem).toContain("must NOT have fewer than 1 characters");
  });

  it("compiles every response schema of psapi's own four specs and routes to their operations", () => {
    const specs = loadPsapiSpecs();
    expect(specs.map((spec) => spec.id.split("/").pop())).toEqual([
      "photoshop.yaml",
      "photoshop-current.yaml",
      "ims.yaml",
      "emulator.yaml",
    ]);
    const psapi = createConformanceChecker(specs);
    expect(psapi.match("POST", "http://127.0.0.1:1/sensei/mask")?.operationId).toBe("createMask");
    expect(psapi.match("GET", "http://127.0.0.1:1/v2/status/urn:ff:jobs:x:1")?.operationId).toBe(
      "getV2JobStatus",
    );
    expect(psapi.match("POST", "http://127.0.0.1:1/v1/mask-objects")?.operationId).toBe("maskObjects");
    expect(psapi.match("POST", "http://127.0.0.1:1/ims/token/v3")?.operationId).toBe("getToken");
  });
});

describe("recordingFetch", () => {
  it("records every exchange and collects the violations of each response it passes on", async () => {
    const responses = [
      json({ id: "a", created: "2026-01-01T00:00:00Z" }, 200, { "x-count": "1" }),
      json({ id: "a" }, 500),
    ];
    const recorder = recordingFetch(
      async () => {
        const response = responses.shift();
        if (!response) throw new TypeError("fetch failed");
        return response;
      },
      { checker },
    );
    const first = await recorder.fetch("https://tiny.example/api/things/a");
    await recorder.fetch(new Request("https://tiny.example/api/things/b?sig=secret"));
    await expect(recorder.fetch("https://tiny.example/api/things/c")).rejects.toThrow();
    expect(await first.json()).toEqual({ id: "a", created: "2026-01-01T00:00:00Z" });
    await recorder.untilChecked();
    expect(recorder.checked).toBe(2);
    expect(recorder.exchanges.map((exchange) => [exchange.path, exchange.status])).toEqual([
      ["/api/things/a", 200],
      ["/api/things/b", 500],
      ["/api/things/c", undefined],
    ]);
    expect(recorder.exchangesOf("getThing")).toHaveLength(3);
    expect(recorder.report()).toBe(
      "GET /api/things/b → 500 (getThing): status 500 is not declared for getThing",
    );
    expect(JSON.stringify(recorder.exchanges.map((exchange) => exchange.url))).not.toContain("secret");
  });

  it("skips the check for URLs the caller excludes", async () => {
    const recorder = recordingFetch(async () => json({}, 200), {
      checker,
      shouldCheck: (url) => url.hostname === "tiny.example",
    });
    await recorder.fetch("https://storage.example/bucket/object");
    await recorder.untilChecked();
    expect(recorder.checked).toBe(0);
    expect(recorder.report()).toBe("");
  });
});

describe("a broken spec", () => {
  it("is refused when the checker is built, naming the $ref it cannot resolve", () => {
    const broken = {
      openapi: "3.1.0",
      paths: {
        "/x": {
          get: {
            responses: {
              "200": {
                description: "x",
                content: { "application/json": { schema: { $ref: "#/components/schemas/Missing" } } },
              },
            },
          },
        },
      },
    };
    expect(() =>
      createConformanceChecker([{ id: "https://broken.example/spec.yaml", document: broken }]),
    ).toThrow(/Missing/);
  });

  it("makes recordingFetch report a check that throws as a violation, never a silent pass", async () => {
    const throwing = { ...checker, check: () => Promise.reject(new Error("cannot check")) };
    const recorder = recordingFetch(async () => json({}, 200), { checker: throwing });
    await recorder.fetch("https://tiny.example/api/things/a");
    await recorder.untilChecked();
    expect(recorder.report()).toBe("GET /api/things/a → 200 (getThing): the checker failed: cannot check");
  });
});

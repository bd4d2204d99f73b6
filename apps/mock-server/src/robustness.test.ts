import { describe, expect, it } from "vitest";
import { authHeaders, presign, testEmulator } from "./testing/helpers.js";

describe("hostile input", () => {
  it("answers every malformed request with a 4xx, never a 5xx or a crash", async () => {
    const { app } = testEmulator();
    const auth = await authHeaders(app);
    const json = { ...auth, "content-type": "application/json" };
    const cases: [string, RequestInit][] = [
      ["/sensei/mask", { method: "POST", headers: json, body: "null" }],
      ["/sensei/mask", { method: "POST", headers: json, body: "[]" }],
      ["/sensei/mask", { method: "POST", headers: json, body: '"string"' }],
      ["/sensei/mask", { method: "POST", headers: json, body: '{"input":{"href":{"$ref":"x"}}}' }],
      [
        "/sensei/mask",
        { method: "POST", headers: json, body: `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}` },
      ],
      ["/sensei/mask", { method: "POST", headers: json, body: "\u0000\u0001" }],
      [
        "/sensei/mask",
        {
          method: "POST",
          headers: { ...auth, "content-type": "application/json; charset=utf-16" },
          body: "{}",
        },
      ],
      ["/sensei/mask", { method: "POST", headers: auth }],
      ["/pie/psdService/documentManifest", { method: "POST", headers: json, body: '{"inputs":"x"}' }],
      ["/sensei/status/%E0%A4%A", { headers: auth }],
      [`/sensei/status/${"x".repeat(5000)}`, { headers: auth }],
      ["/sensei/mask", { method: "PUT", headers: json, body: "{}" }],
      [
        "/ims/token/v3",
        { method: "POST", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "garbage" },
      ],
      [
        "/ims/token/v3",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"grant_type":"client_credentials"}',
        },
      ],
      ["/ims/token/v3?grant_type=client_credentials&client_id=%FF", { method: "POST" }],
      [
        "/ims/exchange/jwt",
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "%%%" },
      ],
      [
        "/__emulator/storage/presign",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"key":"a\\u0000b","method":"GET"}',
        },
      ],
      ["/__emulator/storage/objects/", { method: "GET" }],
      ["/__emulator/storage/objects/a?expires=99999999999999999999&sig=x", { method: "GET" }],
      [
        "/__emulator/faults",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"route":"* /x","status":503}',
        },
      ],
      ["/__emulator/journal?limit=99999999999", {}],
      ["/pie/psdService/hello", { headers: { ...auth, "x-emulator-fault": "latency=9999999" } }],
    ];
    for (const [path, init] of cases) {
      const res = await app.request(path, init);
      expect(res.status, `${init.method ?? "GET"} ${path.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${init.method ?? "GET"} ${path.slice(0, 60)}`).toBeLessThan(500);
    }
  });

  it("answers HEAD on a bad or missing object with the status and no body", async () => {
    const { app } = testEmulator();
    const unsigned = await app.request("/__emulator/storage/objects/a", { method: "HEAD" });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toBe("");
    const missing = await app.request(await presign(app, "nothing", "GET"), { method: "HEAD" });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("");
  });
});

describe("a method a declared path does not take (found by the fuzz suite in packages/tests)", () => {
  it.each([
    ["/ims/token/v3", "GET", "POST", "application/json", { error: "invalid_request" }],
    [
      "/__emulator/faults",
      "PUT",
      "GET, HEAD, POST, DELETE",
      "application/json",
      { type: "MethodNotAllowed", code: 405 },
    ],
    // Found by the 100,000-request fuzz run: without a key the 405 came in the control API's JSON.
    [
      "/__emulator/storage/objects",
      "PATCH",
      "GET, HEAD, PUT",
      "application/xml",
      "<Code>MethodNotAllowed</Code>",
    ],
    [
      "/__emulator/storage/objects/a.png",
      "DELETE",
      "GET, HEAD, PUT",
      "application/xml",
      "<Code>MethodNotAllowed</Code>",
    ],
  ] as const)(
    "%s answers %s with 405, an Allow header and the family's error body",
    async (path, method, allow, type, body) => {
      const { app } = testEmulator();
      const res = await app.request(path, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.headers.get("content-type")).toContain(type);
      if (typeof body === "string") expect(await res.text()).toContain(body);
      else expect(await res.json()).toMatchObject(body);
    },
  );

  it("answers a Photoshop API path with the gateway's unsupported_method once the credentials pass", async () => {
    const { app } = testEmulator();
    const auth = await authHeaders(app);
    for (const [path, method, allow] of [
      ["/sensei/mask", "GET", "POST"],
      ["/sensei/status/abc", "DELETE", "GET, HEAD"],
      ["/pie/psdService/hello", "PATCH", "GET, HEAD"],
    ] as const) {
      const res = await app.request(path, { method, headers: auth });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(await res.json()).toMatchObject({ error_code: "unsupported_method" });
    }
    // The gateway still refuses missing credentials first, as for any path under its prefix.
    expect((await app.request("/sensei/mask", { method: "GET" })).status).toBe(401);
  });

  it("answers a path no route has with 404 ResourceNotFound, as before", async () => {
    const { app } = testEmulator();
    const res = await app.request("/nope", { method: "PUT" });
    expect(res.status).toBe(404);
    expect(res.headers.get("allow")).toBeNull();
    expect(await res.json()).toMatchObject({ type: "ResourceNotFound" });
  });
});

import { describe, expect, it } from "vitest";
import type { Imaging } from "./options.js";
import {
  advance,
  authHeaders,
  postJson,
  presign,
  subjectPng,
  testEmulator,
  upload,
} from "./testing/helpers.js";
import { responseChecker } from "./testing/spec-check.js";

const check = responseChecker("photoshop.yaml");

async function answer(res: Response | Promise<Response>) {
  const response = await res;
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("emulator answers match openapi/photoshop.yaml", () => {
  it("for every sensei job state and the 202 link", async () => {
    const { app } = testEmulator({ jobs: { pendingMs: 10, runningMs: 10 } });
    const headers = await authHeaders(app);
    await upload(app, "in.png", await subjectPng());
    const body = {
      input: { href: await presign(app, "in.png", "GET"), storage: "external" },
      output: { href: await presign(app, "out.png", "PUT"), storage: "external", mask: { format: "soft" } },
      options: { optimize: "performance" },
    };
    const accepted = await answer(app.request("/sensei/mask", postJson(body, headers)));
    expect(check("createMask", accepted.status, accepted.body)).toEqual([]);
    const href = (accepted.body as { _links: { self: { href: string } } })._links.self.href;
    for (const step of [0, 10, 10]) {
      await advance(app, step);
      const status = await answer(app.request(href, { headers }));
      expect(check("getSenseiJobStatus", status.status, status.body)).toEqual([]);
    }
    const failing = await answer(
      app.request(
        "/sensei/cutout",
        postJson(
          { ...body, input: { href: await presign(app, "none", "GET"), storage: "external" } },
          headers,
        ),
      ),
    );
    await advance(app, 20);
    const failed = await answer(
      app.request((failing.body as { _links: { self: { href: string } } })._links.self.href, { headers }),
    );
    expect(failed.body).toMatchObject({ status: "failed" });
    expect(check("getSenseiJobStatus", failed.status, failed.body)).toEqual([]);
  });

  it("for psd status while running, succeeded and failed", async () => {
    const imaging: Imaging = {
      computeMask: async () => new Uint8Array(),
      computeCutout: async () => new Uint8Array(),
      readDocumentManifest: async (_bytes, name) => ({
        document: { name, width: 2, height: 1, imageMode: "rgb", bitDepth: 8 },
        layers: [
          {
            id: -1,
            index: 0,
            name: "Background",
            type: "backgroundLayer",
            locked: true,
            visible: true,
            bounds: { top: 0, left: 0, width: 2, height: 1 },
          },
        ],
      }),
    };
    const { app } = testEmulator({ imaging, jobs: { pendingMs: 5, runningMs: 0 } });
    const headers = await authHeaders(app);
    await upload(app, "files/a.psd", new Uint8Array([1]));
    for (const href of ["files/a.psd", "files/missing.psd"]) {
      const accepted = await answer(
        app.request(
          "/pie/psdService/documentManifest",
          postJson({ inputs: [{ href, storage: "adobe" }] }, headers),
        ),
      );
      expect(check("getDocumentManifest", accepted.status, accepted.body)).toEqual([]);
      const link = (accepted.body as { _links: { self: { href: string } } })._links.self.href;
      const pending = await answer(app.request(link, { headers }));
      expect(pending.status).toBe(202);
      expect(check("getPsdJobStatus", pending.status, pending.body)).toEqual([]);
      await advance(app, 5);
      const done = await answer(app.request(link, { headers }));
      expect(done.status).toBe(200);
      expect(check("getPsdJobStatus", done.status, done.body)).toEqual([]);
    }
  });

  it("for every error answer", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const { app: trial } = testEmulator({ trialQuota: 0 });
    const trialHeaders = await authHeaders(trial);
    const cases: [string, Response | Promise<Response>][] = [
      ["hello", app.request("/pie/psdService/hello")],
      [
        "hello",
        app.request("/pie/psdService/hello", { headers: { authorization: headers.authorization ?? "" } }),
      ],
      ["hello", app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "429" } })],
      ["hello", app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "500" } })],
      ["hello", app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "502" } })],
      [
        "hello",
        app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "503; retry-after=1" } }),
      ],
      ["hello", app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "504" } })],
      ["createMask", app.request("/sensei/mask", postJson("{", headers))],
      ["createMask", app.request("/sensei/mask", postJson({}, headers))],
      ["createMask", app.request("/sensei/mask", { method: "POST", headers, body: "x" })],
      ["getSenseiJobStatus", app.request("/sensei/status/nope", { headers })],
      ["getPsdJobStatus", app.request("/pie/psdService/status/nope", { headers })],
      [
        "removeBackground",
        trial.request(
          "/sensei/cutout",
          postJson(
            { input: { href: "files/a", storage: "adobe" }, output: { href: "files/b", storage: "adobe" } },
            trialHeaders,
          ),
        ),
      ],
    ];
    const statuses: number[] = [];
    for (const [operationId, pending] of cases) {
      const { status, body } = await answer(pending);
      statuses.push(status);
      expect(check(operationId, status, body), `${operationId} ${status}`).toEqual([]);
    }
    expect(statuses).toEqual([401, 403, 429, 500, 502, 503, 504, 400, 400, 415, 404, 404, 402]);
  });
});

describe("control API answers match openapi/emulator.yaml", () => {
  const checkControl = responseChecker("emulator.yaml");

  it("for clock, presign, codes, revoke, faults, jobs, journal and errors", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    await app.request(
      "/sensei/mask",
      postJson(
        { input: { href: "files/a", storage: "adobe" }, output: { href: "files/b", storage: "adobe" } },
        headers,
      ),
    );
    await app.request("/pie/psdService/hello", { headers: { "x-emulator-fault": "503" } });
    const cases: [string, Response | Promise<Response>][] = [
      ["getClock", app.request("/__emulator/clock")],
      ["advanceClock", app.request("/__emulator/clock/advance", postJson({ ms: 0 }))],
      ["advanceClock", app.request("/__emulator/clock/advance", postJson({ ms: -1 }))],
      [
        "advanceClock",
        app.request("/__emulator/clock/advance", {
          method: "POST",
          body: "x",
          headers: { "content-type": "text/plain" },
        }),
      ],
      [
        "presignStorageUrl",
        app.request("/__emulator/storage/presign", postJson({ key: "a", method: "PUT" })),
      ],
      [
        "createAuthorizationCode",
        app.request("/__emulator/ims/authorization-codes", postJson({ clientId: "psapi-demo-client" })),
      ],
      ["revokeTokens", app.request("/__emulator/tokens/revoke", postJson({ clientId: "x" }))],
      ["addFault", app.request("/__emulator/faults", postJson({ status: 503, times: 1 }))],
      ["listFaults", app.request("/__emulator/faults")],
      ["listJobs", app.request("/__emulator/jobs")],
      ["listJournal", app.request("/__emulator/journal")],
      ["deleteFault", app.request("/__emulator/faults/nope", { method: "DELETE" })],
    ];
    for (const [operationId, pending] of cases) {
      const { status, body } = await answer(pending);
      expect(checkControl(operationId, status, body), `${operationId} ${status}`).toEqual([]);
    }
  });
});

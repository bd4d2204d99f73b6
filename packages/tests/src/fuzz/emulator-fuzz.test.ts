import { createEmulator } from "@psapi/mock-server";
import { createEmulatorControl } from "@psapi/mock-server/control";
import { describe, expect, it } from "vitest";
import { createConformanceChecker } from "../conformance/checker.js";
import { loadPsapiSpecs } from "../conformance/spec-documents.js";
import { DEMO_CREDENTIALS } from "../harness/environment.js";
import { retainedAfterGc } from "../harness/memory.js";
import { type FuzzReport, fuzzEmulator } from "./run-fuzz.js";
import { type FuzzOperation, specOperations } from "./spec-operations.js";

/** `PSAPI_FUZZ_REQUESTS=100000` is the long run (see the README); the default fits in `pnpm test`. */
const REQUESTS = Number(process.env.PSAPI_FUZZ_REQUESTS ?? 2_000);
const SEED = Number(process.env.PSAPI_FUZZ_SEED ?? 20_261_205);
const CHUNKS = 3;
const MB = 2 ** 20;
/**
 * How far the memory retained after a reset may rise from the first chunk of the run to the last.
 * Measured: -0.3 to +0.4 MB from chunk to chunk; an emulator that kept what the requests left
 * (jobs, objects, journal entries) would grow with every chunk.
 */
const SLACK = 2 * MB;
const ORIGIN = "http://127.0.0.1:4010";
const SIGNING_KEY = "fuzz-signing-key-never-shown";
const OTHER = { clientId: "fuzz-other-client", clientSecret: "fuzz-other-secret-never-shown" };

describe("emulator fuzz", () => {
  it(`answers ${REQUESTS} seeded requests generated from the spec and mutated by the rules, and keeps its memory level`, {
    // Only a hang detector: the default run takes 13-40 s on the shared machine.
    timeout: 3_600_000,
  }, async () => {
    const app = createEmulator({
      clients: [DEMO_CREDENTIALS, OTHER],
      signingKey: SIGNING_KEY,
      publicUrl: ORIGIN,
      jobs: { pendingMs: 0, runningMs: 0 },
    });
    // Every file the spec package ships (SPEC_NAMES, held equal to its exports by its own tests), so
    // a route added to any of them is fuzzed from then on.
    const documents = loadPsapiSpecs();
    const checker = createConformanceChecker(documents);
    // Every declared operation must be routed: one the emulator does not route would go unfuzzed
    // (and its requests would only meet the 404 of an unknown path), so it fails the run.
    const { served, unserved } = await partitionByRouting(app, specOperations(documents));
    expect(unserved, "declared in openapi/*.yaml but not routed by the emulator").toEqual([]);
    const operations = served;
    const started = performance.now();
    const reports: FuzzReport[] = [];
    const retained: number[] = [];
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      reports.push(
        await fuzzEmulator({
          fetch: async (request) => app.fetch(request),
          origin: ORIGIN,
          operations,
          checker,
          clients: { main: DEMO_CREDENTIALS, other: OTHER },
          serverSecrets: [SIGNING_KEY],
          seed: SEED + chunk,
          requests: Math.ceil(REQUESTS / CHUNKS),
        }),
      );
      await createEmulatorControl({ baseUrl: ORIGIN, fetch: async (request) => app.fetch(request) }).reset();
      retained.push(await retainedAfterGc());
    }
    const seconds = (performance.now() - started) / 1000;
    const statuses = new Map<number, number>();
    for (const report of reports) {
      for (const [status, count] of report.statuses)
        statuses.set(status, (statuses.get(status) ?? 0) + count);
    }
    const findings = reports.flatMap((report) => report.findings);
    console.log(
      `fuzz: seed ${SEED}, ${reports.reduce((sum, report) => sum + report.requests, 0)} requests ` +
        `(${reports.reduce((sum, report) => sum + report.unsendable, 0)} not sendable by fetch) in ${seconds.toFixed(1)} s; ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ` +
        `${reports.reduce((sum, report) => sum + report.failures, 0)} failures in ${findings.length} findings; ` +
        `memory after each chunk's reset ${retained.map((bytes) => (bytes / MB).toFixed(1)).join(", ")} MB`,
    );
    expect(
      findings
        .map(
          (finding) =>
            `${finding.operation}: ${finding.problem}\n    ${finding.request}\n    [${finding.mutations.join("; ")}]`,
        )
        .join("\n"),
    ).toBe("");

    // Still healthy: a token, a hello and a job status read work as on a fresh emulator.
    const token = await app.request("/ims/token/v3", {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", ...toForm(DEMO_CREDENTIALS) }),
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const hello = await app.request("/pie/psdService/hello", {
      headers: { authorization: `Bearer ${access_token}`, "x-api-key": DEMO_CREDENTIALS.clientId },
    });
    expect(await hello.text()).toBe("Welcome to the Photoshop API!");

    const first = retained[0] ?? 0;
    expect((retained.at(-1) ?? 0) - first, `memory rise over ${CHUNKS} chunks`).toBeLessThan(SLACK);
  });
});

/**
 * Splits the operations by whether the emulator routes their path: a method no route takes is
 * answered 405 on a routed path and 404 on an unrouted one (with credentials that pass the gateway).
 */
async function partitionByRouting(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  operations: readonly FuzzOperation[],
) {
  const token = await app.request("/ims/token/v3", {
    method: "POST",
    body: new URLSearchParams({ grant_type: "client_credentials", ...toForm(DEMO_CREDENTIALS) }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const served: FuzzOperation[] = [];
  const unserved: string[] = [];
  for (const operation of operations) {
    const path = operation.template.replace(/\{[^}]+\}/g, "x");
    const probe = await app.request(path, {
      method: "PROPFIND",
      headers: { authorization: `Bearer ${access_token}`, "x-api-key": DEMO_CREDENTIALS.clientId },
    });
    if (probe.status === 404) unserved.push(`${operation.method} ${operation.template}`);
    else served.push(operation);
  }
  return { served, unserved };
}

function toForm(credentials: { clientId: string; clientSecret: string }) {
  return { client_id: credentials.clientId, client_secret: credentials.clientSecret };
}

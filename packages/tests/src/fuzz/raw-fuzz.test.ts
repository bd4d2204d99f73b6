import { createServer, type Server } from "node:net";
import { secretForms } from "@psapi/core";
import { type RunningServer, startServer } from "@psapi/mock-server/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPsapiSpecs } from "../conformance/spec-documents.js";
import { DEMO_CREDENTIALS } from "../harness/environment.js";
import { rawRequestArbitrary } from "./raw-request-arbitrary.js";
import { specOperations } from "./spec-operations.js";
import { StrictConnection } from "./strict-http.js";

/** `PSAPI_FUZZ_RAW_REQUESTS=5000` is the long run; the default keeps `pnpm test` quick (a few seconds). */
const REQUESTS = Number(process.env.PSAPI_FUZZ_RAW_REQUESTS ?? 150);
const SEED = Number(process.env.PSAPI_FUZZ_SEED ?? 20_261_206);
const OTHER = { clientId: "raw-fuzz-client", clientSecret: "raw-fuzz-secret-Zq8/+never-shown" };
const FOLLOW_UP = "GET /pie/psdService/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/** The secret's forms found in a text (plain, URL-encoded, JSON-escaped, base64). */
function disclosed(text: string): string[] {
  return secretForms(OTHER.clientSecret).filter((form) => text.includes(form));
}

describe("raw requests over a real socket, each answer read by a strict HTTP parser", () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      demoCredentials: false,
      emulator: { clients: [DEMO_CREDENTIALS, OTHER], jobs: { pendingMs: 0, runningMs: 0 } },
    });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it(`answers ${REQUESTS} seeded raw requests with complete, valid HTTP, keeps connections HTTP lets live, and shows no secret`, {
    timeout: 600_000,
  }, async () => {
    const templates = specOperations(loadPsapiSpecs()).map((operation) =>
      operation.template.replace(/\{[^}]+\}/g, "x"),
    );
    const paths = [
      ...new Set([...templates, "/", "/v1/nothing", "/v2/nothing", "/__emulator/journal"]),
    ].sort();
    const findings = new Map<string, string>();
    const find = (problem: string, description: string) => {
      if (!findings.has(problem)) findings.set(problem, description);
    };
    await fc.assert(
      fc.asyncProperty(rawRequestArbitrary(paths, OTHER), async (request) => {
        const connection = await StrictConnection.open(port);
        try {
          const first = await connection.exchange(request.bytes, request.method);
          if (!first.ok) return find(first.problem, request.description);
          const { answer } = first;
          if (answer.status < 100 || answer.status > 599)
            find(`status ${answer.status}`, request.description);
          if (answer.status >= 500) find(`status ${answer.status}`, request.description);
          if (request.method === "HEAD" && answer.body.length > 0)
            find("HEAD answered with a body", request.description);
          const shown = `${JSON.stringify(answer.headers)}\n${answer.body.toString("latin1")}`;
          for (const form of disclosed(shown))
            find(`answer shows the secret as ${form}`, request.description);
          if (answer.headers.connection?.toLowerCase() === "close") return;
          if (first.closed)
            return find("closed the connection without Connection: close", request.description);
          const second = await connection.exchange(FOLLOW_UP, "GET");
          if (!second.ok)
            find(`the kept-alive connection failed its next request: ${second.problem}`, request.description);
        } finally {
          connection.close();
        }
      }),
      { seed: SEED, numRuns: REQUESTS },
    );

    // Nothing kept shows the secret either: the journal and every inspector page.
    const kept = [await (await fetch(`${server.url}/__emulator/journal`)).text()];
    for (const view of ["requests", "jobs", "tokens", "faults", "clock"]) {
      kept.push(await (await fetch(`${server.url}/__emulator/ui/${view}`)).text());
    }
    for (const form of disclosed(kept.join("\n")))
      find(`journal or inspector shows the secret as ${form}`, "");
    expect([...findings].map(([problem, request]) => `${problem}\n    ${request}`).join("\n")).toBe("");
  });
});

describe("the strict reader itself", () => {
  /** A server that answers every connection with `answer` and closes. */
  async function answering(answer: string): Promise<{ port: number; server: Server }> {
    const server = createServer((socket) => {
      socket.once("data", () => socket.end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as { port: number }).port, server };
  }

  it.each([
    [
      "a HEAD answer with a body",
      "HEAD",
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ],
    ["an answer cut short", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"],
    ["a bad status line", "GET", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"],
    ["a bare LF in the head", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\n\n"],
  ])("refuses %s", async (_name, method, answer) => {
    const { port, server } = await answering(answer);
    const connection = await StrictConnection.open(port);
    const result = await connection.exchange(`${method} / HTTP/1.1\r\nHost: x\r\n\r\n`, method);
    connection.close();
    server.close();
    expect(result.ok).toBe(false);
  });
});

import { DEMO_CLIENT } from "@psapi/mock-server";
import { type RunningServer, startServer } from "@psapi/mock-server/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PSAPI_CHECKER } from "../harness/environment.js";
import { StrictConnection } from "./strict-http.js";

/** What came back on a raw connection, read by a strict HTTP parser. */
interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** The server closed the connection after the answer. */
  closed: boolean;
}

/** Sends raw bytes on a fresh connection and reads one answer strictly (see {@link StrictConnection}). */
async function raw(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  const method = Buffer.from(bytes).toString("latin1").split(" ")[0] ?? "GET";
  const connection = await StrictConnection.open(port);
  try {
    const result = await connection.exchange(bytes, method);
    if (!result.ok) throw new Error(result.problem);
    const { answer } = result;
    const headers = new Map(
      Object.entries(answer.headers).map(([name, value]) => [name, String(value)] as [string, string]),
    );
    return { status: answer.status, headers, body: answer.body.toString("utf8"), closed: result.closed };
  } finally {
    connection.close();
  }
}

const CASES: [string, number, string | Buffer][] = [
  ["CONNECT", 405, "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n"],
  [
    "headers over 16 KB",
    431,
    `GET /pie/psdService/hello HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
  ],
  ["OPTIONS *", 400, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["a raw backslash in the path", 400, "GET /sensei\\status/1 HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["a NUL byte in the path", 400, "GET /sensei/status/a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["a UTF-8 byte in the path", 400, Buffer.from("GET /sensei/status/é HTTP/1.1\r\nHost: x\r\n\r\n", "utf8")],
  ["a Host with a space", 400, "GET /pie/psdService/hello HTTP/1.1\r\nHost: a b\r\n\r\n"],
  ["an unknown method", 400, "FOOBAR / HTTP/1.1\r\nHost: x\r\n\r\n"],
  [
    "Transfer-Encoding with Content-Length",
    400,
    "POST /sensei/mask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  ],
  ["a folded header", 400, "GET /pie/psdService/hello HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n"],
  ["binary garbage", 400, Buffer.from([0x00, 0x01, 0x02, 0xff, 0x0d, 0x0a, 0x0d, 0x0a])],
  ["an HTTP/2 preface", 400, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
  ["a negative Content-Length", 400, "POST /sensei/mask HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"],
  [
    "a bad chunk size",
    400,
    "POST /sensei/mask HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  ],
];

describe("raw bytes on a real 127.0.0.1 port", () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    server = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());

  it.each(CASES)("answers %s with %i and a JSON error body, as valid HTTP", async (_name, status, bytes) => {
    const answer = await raw(port, bytes);
    expect(answer.status).toBe(status);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(answer.body)).toMatchObject({
      type: expect.any(String),
      code: status,
      title: expect.any(String),
    });
    if (status === 405) expect(answer.headers.get("allow")).toBeTruthy();
  });

  it.each([
    ["a UTF-8 byte", Buffer.from("HEAD /v2/status/é HTTP/1.1\r\nHost: x\r\n\r\n", "utf8")],
    ["a control character", "HEAD /v1/status/a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a backslash", "HEAD /sensei\\status/1 HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a bad header value", "HEAD /pie/psdService/hello HTTP/1.1\r\nHost: x\r\nX-A: \u0001\r\n\r\n"],
  ])("answers a HEAD with %s in its request with a 400 head and no body", async (_name, bytes) => {
    const answer = await raw(port, bytes);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe("");
  });

  it("answers in the current contract's shape on /v1/ and /v2/ paths, before the app too", async () => {
    for (const bytes of [
      Buffer.from("GET /v2/status/é HTTP/1.1\r\nHost: x\r\n\r\n", "utf8"),
      `GET /v1/status/x HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ]) {
      const answer = await raw(port, bytes);
      expect(JSON.parse(answer.body)).toEqual({
        error_code: expect.any(String),
        message: expect.any(String),
      });
    }
  });

  it("keeps the connection open after a 400 or 404 the server answers whole, and closes it (saying so) after a broken one", async () => {
    const connection = await StrictConnection.open(port);
    try {
      for (const [bytes, method] of [
        ["OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS"],
        ["GET /sensei\\status/1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET"],
        ["HEAD /v2/nothing HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD"],
        ["GET /__emulator/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "GET"],
        ["GET /pie/psdService/hello HTTP/1.1\r\nHost: x\r\n\r\n", "GET"],
      ] as const) {
        const result = await connection.exchange(bytes, method);
        expect(result.ok && !result.closed && result.answer.headers.connection, bytes).toBe("keep-alive");
      }
      const broken = await connection.exchange("GET /a\u0001 HTTP/1.1\r\nHost: x\r\n\r\n", "GET");
      expect(broken.ok && broken.answer.headers.connection).toBe("close");
    } finally {
      connection.close();
    }
  });

  it("answers an oversized header on each spec document's routes with a 431 the spec declares", async () => {
    for (const [method, path] of [
      ["GET", "/pie/psdService/hello"],
      ["POST", "/v2/remove-background"],
      ["GET", "/v1/status/00000000-0000-4000-8000-000000000000"],
      ["POST", "/ims/token/v3"],
      ["GET", "/__emulator/clock"],
    ] as const) {
      const answer = await raw(
        port,
        `${method} ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      );
      const response = new Response(answer.body, { status: answer.status, headers: [...answer.headers] });
      const violations = await PSAPI_CHECKER.check({ method, url: `${server.url}${path}` }, response);
      expect(
        violations.map((violation) => violation.problem),
        `${method} ${path}`,
      ).toEqual([]);
    }
  });

  it("is still healthy afterwards: a token and a hello over the same port", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
    });
    const token = await fetch(`${server.url}/ims/token/v3`, { method: "POST", body: form });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const hello = await fetch(`${server.url}/pie/psdService/hello`, {
      headers: { authorization: `Bearer ${access_token}`, "x-api-key": DEMO_CLIENT.clientId },
    });
    expect(await hello.text()).toBe("Welcome to the Photoshop API!");
  });
});

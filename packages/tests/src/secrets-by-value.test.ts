import { secretForms } from "@psapi/core";
import { type RunningServer, startServer } from "@psapi/mock-server/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StrictConnection } from "./fuzz/strict-http.js";
import { DEMO_CREDENTIALS } from "./harness/environment.js";

/** A configured client whose secret has characters every encoding spells differently. */
const CLIENT = { clientId: "by-value-client", clientSecret: 'by-value-secret/K7+q "x"' };
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Every form of every secret found in `text`. */
function disclosed(text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => secretForms(secret).filter((form) => text.includes(form)));
}

describe("secrets the emulator knows are hidden by value, wherever a client put them", () => {
  let server: RunningServer;
  let port: number;
  let token: string;
  beforeAll(async () => {
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      demoCredentials: false,
      emulator: { clients: [DEMO_CREDENTIALS, CLIENT] },
    });
    port = Number(new URL(server.url).port);
    const issued = await fetch(`${server.url}/ims/token/v3`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      }),
    });
    token = ((await issued.json()) as { access_token: string }).access_token;
  });
  afterAll(() => server.close());

  it("answers each request whole, and neither answers, the journal nor the inspector show a secret", async () => {
    const secret = CLIENT.clientSecret;
    const encoded = encodeURIComponent(secret);
    const auth = `Authorization: Bearer ${token}\r\nx-api-key: ${CLIENT.clientId}\r\n`;
    const json = JSON.stringify({ image: { source: { url: `https://x.invalid/${secret}` } }, note: secret });
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CLIENT.clientId,
      note: secret,
    });
    const requests: [string, string, Buffer | string][] = [
      ["in a path", "GET", `GET /v2/status/${encoded} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`],
      [
        "in a HEAD's path, beside a raw byte",
        "HEAD",
        Buffer.from(`HEAD /v2/status/é${encoded} HTTP/1.1\r\nHost: x\r\n\r\n`),
      ],
      ["in a query", "GET", `GET /pie/psdService/hello?note=${encoded} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`],
      [
        "in another header",
        "GET",
        `GET /v2/status/x HTTP/1.1\r\nHost: x\r\nX-Other: ${secret}\r\n${auth}\r\n`,
      ],
      [
        "base64 in another header",
        "GET",
        `GET /v1/status/x HTTP/1.1\r\nHost: x\r\nX-Data: ${b64(`s=${secret}`)}\r\n\r\n`,
      ],
      [
        "in a Basic header",
        "POST",
        `POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${b64(`${CLIENT.clientId}:${secret}`)}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\ngrant_type=client_credentials`,
      ],
      [
        "in a form field other than client_secret",
        "POST",
        `POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.toString().length}\r\n\r\n${form}`,
      ],
      [
        "in a JSON body",
        "POST",
        `POST /v2/remove-background HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      ],
      [
        "an issued token in a query and base64 in a JSON body",
        "POST",
        `POST /v1/mask-objects?t=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify({ t: b64(token) }).length}\r\n\r\n${JSON.stringify({ t: b64(token) })}`,
      ],
    ];
    const shown: string[] = [];
    for (const [name, method, bytes] of requests) {
      const connection = await StrictConnection.open(port);
      const result = await connection.exchange(bytes, method);
      connection.close();
      expect(result.ok ? "" : result.problem, name).toBe("");
      if (!result.ok) continue;
      if (method === "HEAD") expect(result.answer.body.length, name).toBe(0);
      shown.push(
        `${name}: ${JSON.stringify(result.answer.headers)} ${result.answer.body.toString("latin1")}`,
      );
    }
    const journal = await (await fetch(`${server.url}/__emulator/journal`)).text();
    expect(journal).toContain("[REDACTED]");
    shown.push(journal);
    for (const view of ["requests", "jobs", "tokens"]) {
      shown.push(await (await fetch(`${server.url}/__emulator/ui/${view}`)).text());
    }
    expect(disclosed(shown.join("\n"), [secret, token])).toEqual([]);
  });
});

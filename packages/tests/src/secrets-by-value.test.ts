import { secretForms } from "@psapi/core";
import { createEmulatorControl, type EmulatorControl } from "@psapi/mock-server/control";
import { type RunningServer, startServer } from "@psapi/mock-server/server";
import { readPsd } from "ag-psd";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StrictConnection } from "./fuzz/strict-http.js";
import { DEMO_CREDENTIALS } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";

/** A configured client whose secret has characters every encoding spells differently. */
const CLIENT = { clientId: "by-value-client", clientSecret: 'by-value-secret/K7+q "x"' };
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** A text as an HTML page shows it (Hono's JSX escapes these five), spelled here, not by core. */
const asHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** Every form of every secret found in `text`: core's spellings, and each as a page escapes it. */
function disclosed(text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((secret) => {
    const forms = secretForms(secret);
    return [...new Set([...forms, ...forms.map(asHtml)])].filter((form) => text.includes(form));
  });
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
      emulator: { clients: [DEMO_CREDENTIALS, CLIENT], jobs: { pendingMs: 0, runningMs: 0 } },
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

  /** The journal as the control API serves it: its text, every spelling of a value as sent. */
  const journalText = async (control: EmulatorControl) => {
    const { data, response } = await control.api.GET("/__emulator/journal", { parseAs: "text" });
    expect(response.status).toBe(200);
    return data ?? "";
  };

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
    const journal = await journalText(createEmulatorControl({ baseUrl: server.url }));
    expect(journal).toContain("[REDACTED]");
    shown.push(journal);
    for (const view of ["requests", "jobs", "tokens"]) {
      shown.push(await (await fetch(`${server.url}/__emulator/ui/${view}`)).text());
    }
    expect(disclosed(shown.join("\n"), [secret, token])).toEqual([]);
  });
  it("stores no secret a client put in a job's fields, and no later answer, status, output or page shows one", async () => {
    const secret = CLIENT.clientSecret;
    const headers = { authorization: `Bearer ${token}`, "x-api-key": CLIENT.clientId };
    const control = createEmulatorControl({ baseUrl: server.url });
    const url = await control.putObject("by-value.png", await subjectPng(48, 32), "image/png");
    const shown: string[] = [];
    /** Sends a request and keeps everything its answer showed (status line, headers, body). */
    const call = async (name: string, path: string, init: RequestInit = {}) => {
      const response = await fetch(new URL(path, server.url), init);
      const text = await response.text();
      shown.push(`${name}: ${response.status} ${JSON.stringify([...response.headers])} ${text}`);
      return { status: response.status, text };
    };
    // A text layer named by the secret, holding it as its content, in a form field, another header
    // and a query: rendered into a PNG (the job fails, naming the layer) and kept in a PSD.
    const layer = {
      type: "text_layer",
      name: secret,
      operation: { type: "add", placement: { type: "top" } },
      text: { content: `say ${secret}` },
    };
    const statusUrls: string[] = [];
    for (const mediaType of ["image/png", "image/vnd.adobe.photoshop"]) {
      const body = {
        image: { source: { url } },
        edits: { layers: [layer] },
        outputs: [{ destination: { validityPeriod: 600 }, mediaType }],
      };
      const submitted = await call(
        `create-composite ${mediaType}`,
        `/v2/create-composite?note=${encodeURIComponent(secret)}`,
        {
          method: "POST",
          headers: {
            ...headers,
            "content-type": "application/json",
            "x-note": Buffer.from(secret).toString("base64"),
          },
          body: JSON.stringify(body),
        },
      );
      expect(submitted.status, submitted.text).toBe(202);
      statusUrls.push(String((JSON.parse(submitted.text) as { statusUrl: string }).statusUrl));
    }
    await call("form field", "/ims/token/v3", {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "nobody", memo: secret }),
    });
    await call("path", `/v2/status/${encodeURIComponent(secret)}`, { headers });
    // A fault rule whose route holds the secret: the control API keeps it as given (it is no
    // request to the API), so the faults view renders it, HTML-escaped, and only the scrub of the
    // page by every spelling (`&quot;`, `&#x2F;`, …) keeps it out.
    await control.addFault({ route: `GET /v2/never/${secret}`, status: 500, times: 1 });
    await control.advanceClock(0);
    const outcomes: string[] = [];
    for (const statusUrl of statusUrls) {
      const status = await call("status", statusUrl, { headers });
      const json = JSON.parse(status.text) as {
        status: string;
        result?: { outputs?: { destination?: { url?: string } }[] };
      };
      outcomes.push(json.status);
      for (const output of json.result?.outputs ?? []) {
        const href = output.destination?.url;
        if (href === undefined) continue;
        const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
        shown.push(Buffer.from(bytes).toString("latin1"), Buffer.from(bytes).toString("utf16le"));
        // What the PSD keeps: the layer's name and its text, read back as Photoshop would.
        const psd = readPsd(bytes, {
          skipLayerImageData: true,
          skipCompositeImageData: true,
          skipThumbnail: true,
        });
        for (const child of psd.children ?? []) shown.push(`${child.name} ${child.text?.text ?? ""}`);
        expect(psd.children?.some((child) => child.text?.text === "say [REDACTED]")).toBe(true);
      }
    }
    // The PNG cannot hold the text (the job fails, naming the layer); the PSD keeps it.
    expect(outcomes).toEqual(["failed", "succeeded"]);
    shown.push(JSON.stringify(await control.jobs()));
    shown.push(await journalText(control));
    for (const view of ["requests", "jobs", "tokens", "faults", "clock"]) {
      const page = await fetch(`${server.url}/__emulator/ui/${view}`);
      expect(page.status, view).toBe(200);
      shown.push(await page.text());
    }
    expect(disclosed(shown.join("\n"), [secret, token])).toEqual([]);
    // Not a test that passes because nothing was shown: the redacted name is there.
    expect(shown.join("\n")).toContain("[REDACTED]");
  });
});

// Raw-HTTP helpers for driving the emulator in benches. Deliberately not @psapi/client: the emulator
// figures must not depend on the client's behaviour (retries, polling intervals). Storage set-up goes
// through the emulator's control client, which neither retries nor polls.
import { createEmulatorControl } from "@psapi/mock-server/control";

/** The demo client the emulator accepts out of the box. */
export const DEMO = { clientId: "psapi-demo-client", clientSecret: "psapi-demo-secret" } as const;

async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** A fresh access token from the emulator's IMS (client credentials grant). */
export async function getToken(origin: string): Promise<string> {
  const response = await fetch(`${origin}/ims/token/v3`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      scope: "openid,AdobeID,firefly_api,ff_apis",
    }),
  });
  const body = (await (await expectOk(response, "IMS token")).json()) as { access_token: string };
  return body.access_token;
}

/** The two headers every API call carries. */
export function apiHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, "x-api-key": DEMO.clientId };
}

/** A pre-signed emulator storage URL for `key`. */
export async function presign(origin: string, key: string, method: "GET" | "PUT"): Promise<string> {
  return (await createEmulatorControl({ baseUrl: origin }).presign(key, method, { expiresIn: 3600 })).url;
}

/** Stores `bytes` under `key` in the emulator's object store. */
export async function putObject(origin: string, key: string, bytes: Buffer, type: string): Promise<void> {
  await createEmulatorControl({ baseUrl: origin }).putObject(key, new Uint8Array(bytes), type);
}

/** Submits a mask job and returns its status URL. */
export async function submitMask(
  origin: string,
  token: string,
  input: string,
  output: string,
): Promise<string> {
  const response = await fetch(`${origin}/sensei/mask`, {
    method: "POST",
    headers: { ...apiHeaders(token), "content-type": "application/json" },
    body: JSON.stringify({
      input: { href: input, storage: "external" },
      output: { href: output, storage: "external", mask: { format: "soft" } },
    }),
  });
  const body = (await (await expectOk(response, "POST /sensei/mask")).json()) as {
    _links: { self: { href: string } };
  };
  return body._links.self.href;
}

/**
 * Polls a Sensei status URL until the job is final, `pauseMs` between polls.
 * @throws {Error} when the job fails or is not final after `timeoutMs`.
 */
export async function waitForJob(
  statusUrl: string,
  token: string,
  pauseMs: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await expectOk(await fetch(statusUrl, { headers: apiHeaders(token) }), "job status");
    const body = (await response.json()) as { status: string; errors?: unknown };
    if (body.status === "succeeded") return;
    if (body.status === "failed") throw new Error(`job failed: ${JSON.stringify(body.errors)}`);
    if (Date.now() > deadline) throw new Error(`job not final after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

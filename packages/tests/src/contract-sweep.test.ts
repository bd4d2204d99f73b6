import { generateKeyPairSync, sign } from "node:crypto";
import type { EmulatorFaultRuleInput } from "@psapi/mock-server/control";
import { describe, expect, it } from "vitest";
import { currentSubmissions } from "./harness/current.js";
import { DEMO_CREDENTIALS, PSAPI_CHECKER, useEnvironment } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";
import { maskRequest } from "./harness/jobs.js";

// Every operation of photoshop.yaml, photoshop-current.yaml, ims.yaml and emulator.yaml, on its success and on the error
// answers the emulator can be made to give. The environment holds each answer against the spec when
// the describe ends; the last test checks that no declared operation went unexercised.
describe("contract sweep: every declared operation, its successes and its errors", () => {
  // A second client that may exchange JWTs signed with this key (legacy Service Account flow).
  const jwtClient = { clientId: "psapi-jwt-client", clientSecret: "psapi-jwt-secret" };
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwtPublicKey = String(publicKey.export({ type: "spki", format: "pem" }));
  const env = useEnvironment(
    {
      emulator: {
        jobs: { pendingMs: 1_000, runningMs: 0 },
        clients: [DEMO_CREDENTIALS, { ...jwtClient, jwtPublicKey }],
      },
    },
    { per: "describe" },
  );
  const signJwt = (claims: Record<string, unknown>) => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`;
    return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url")}`;
  };

  type Body = { json?: unknown; form?: Record<string, string>; text?: string };
  async function call(method: string, path: string, body: Body = {}, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } };
    const target = init.headers as Record<string, string>;
    if (body.json !== undefined) {
      target["content-type"] = "application/json";
      init.body = JSON.stringify(body.json);
    } else if (body.form !== undefined) {
      init.body = new URLSearchParams(body.form);
    } else if (body.text !== undefined) {
      target["content-type"] = "text/plain";
      init.body = body.text;
    }
    const response = await env().fetch(new Request(new URL(path, env().baseUrl), init));
    const text = await response.text();
    return { status: response.status, json: () => JSON.parse(text) as Record<string, unknown> };
  }
  // The control API through its typed client; `api()` is the raw openapi-fetch client, for the
  // answers the convenience methods treat as errors.
  const api = () => env().control.api;
  const status = async (answer: Promise<{ response: Response }>) => (await answer).response.status;
  const clientCredentials = { grant_type: "client_credentials", client_id: DEMO_CREDENTIALS.clientId };
  const token = async () => {
    const answer = await call("POST", "/ims/token/v3", {
      form: { ...clientCredentials, client_secret: DEMO_CREDENTIALS.clientSecret },
    });
    return { Authorization: `Bearer ${answer.json().access_token}`, "x-api-key": DEMO_CREDENTIALS.clientId };
  };

  it("IMS token endpoint: 200 for each grant, 400 for each OAuth error, 401 for a bad secret", async () => {
    const secret = DEMO_CREDENTIALS.clientSecret;
    expect(
      (await call("POST", "/ims/token/v3", { form: { ...clientCredentials, client_secret: secret } })).status,
    ).toBe(200);
    expect(
      (await call("POST", "/ims/token/v3", { form: { ...clientCredentials, client_secret: "wrong" } }))
        .status,
    ).toBe(401);
    expect((await call("POST", "/ims/token/v3", { form: clientCredentials })).json()).toMatchObject({
      error: "invalid_request",
    });
    const password = { ...clientCredentials, client_secret: secret, grant_type: "password" };
    expect((await call("POST", "/ims/token/v3", { form: password })).json()).toMatchObject({
      error: "unsupported_grant_type",
    });
    const scoped = { ...clientCredentials, client_secret: secret, scope: "not_a_scope" };
    expect((await call("POST", "/ims/token/v3", { form: scoped })).json()).toMatchObject({
      error: "invalid_scope",
    });

    const { code } = await env().control.createAuthorizationCode({ clientId: DEMO_CREDENTIALS.clientId });
    const user = { client_id: DEMO_CREDENTIALS.clientId, client_secret: secret };
    const exchanged = await call("POST", "/ims/token/v3", {
      form: { ...user, grant_type: "authorization_code", code },
    });
    expect(exchanged.status).toBe(200);
    const refresh_token = String(exchanged.json().refresh_token);
    expect(
      (await call("POST", "/ims/token/v3", { form: { ...user, grant_type: "refresh_token", refresh_token } }))
        .status,
    ).toBe(200);
    const stale = { ...user, grant_type: "refresh_token", refresh_token: "rt-not-issued" };
    expect((await call("POST", "/ims/token/v3", { form: stale })).json()).toMatchObject({
      error: "invalid_grant",
    });
    expect(
      await status(api().POST("/__emulator/ims/authorization-codes", { body: { clientId: "nobody" } })),
    ).toBe(400);
  });

  it("IMS JWT exchange: 200 for a signed JWT, 400 for one that does not verify, 401 for a bad secret", async () => {
    const form = { client_id: jwtClient.clientId, client_secret: jwtClient.clientSecret };
    const jwt_token = signJwt({
      exp: Math.floor(env().clock.now() / 1000) + 86_400,
      iss: "0123456789ABCDEF@AdobeOrg",
      sub: "FEDCBA9876543210@techacct.adobe.com",
      aud: `https://ims-na1.adobelogin.com/c/${jwtClient.clientId}`,
      "https://ims-na1.adobelogin.com/s/ent_ccas_sdk": true,
    });
    const exchanged = await call("POST", "/ims/exchange/jwt", { form: { ...form, jwt_token } });
    expect(exchanged.status).toBe(200);
    expect(exchanged.json().token_type).toBe("bearer");
    expect((await call("POST", "/ims/exchange/jwt", { form: { ...form, jwt_token: "a.b.c" } })).status).toBe(
      400,
    );
    const wrongSecret = { ...form, client_secret: "wrong", jwt_token };
    expect((await call("POST", "/ims/exchange/jwt", { form: wrongSecret })).status).toBe(401);
  });

  it("hello: 200 with credentials, 401 without a valid token, 403 with a foreign API key", async () => {
    const headers = await token();
    expect((await call("GET", "/pie/psdService/hello", {}, headers)).status).toBe(200);
    const noToken = { ...headers, Authorization: "Bearer not-a-token" };
    expect((await call("GET", "/pie/psdService/hello", {}, noToken)).status).toBe(401);
    expect(
      (await call("GET", "/pie/psdService/hello", {}, { ...headers, "x-api-key": "nobody" })).status,
    ).toBe(403);
  });

  it("Sensei and psdService jobs: 202, 400, 415, status 202 then 200, and 404 for unknown jobs", async () => {
    const headers = await token();
    const { body } = await maskRequest(env(), "sweep");
    expect((await call("POST", "/sensei/mask", { json: body }, headers)).status).toBe(202);
    expect((await call("POST", "/sensei/cutout", { json: body }, headers)).status).toBe(202);
    expect((await call("POST", "/sensei/mask", { json: { input: body.input } }, headers)).status).toBe(400);
    expect((await call("POST", "/sensei/mask", { text: JSON.stringify(body) }, headers)).status).toBe(415);
    const manifest = await call(
      "POST",
      "/pie/psdService/documentManifest",
      { json: { inputs: [body.input] } },
      headers,
    );
    const statusUrl = String((manifest.json()._links as { self: { href: string } }).self.href);
    expect((await call("GET", statusUrl, {}, headers)).status).toBe(202);
    await env().control.advanceClock(1_000);
    expect((await call("GET", statusUrl, {}, headers)).status).toBe(200);
    expect(
      (await call("POST", "/pie/psdService/documentManifest", { json: { inputs: [] } }, headers)).status,
    ).toBe(400);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await call("GET", `/pie/psdService/status/${unknown}`, {}, headers)).status).toBe(404);
    expect((await call("GET", `/sensei/status/${unknown}`, {}, headers)).status).toBe(404);
  });

  it("control API: clock, tokens, jobs, journal and faults, with their 400, 404, 413 and 415", async () => {
    const { control } = env();
    await control.clock();
    await control.advanceClock(0);
    expect(await status(api().POST("/__emulator/clock/advance", { body: { ms: -1 } }))).toBe(400);
    const asText = { bodySerializer: JSON.stringify, headers: { "content-type": "text/plain" } };
    expect(await status(api().POST("/__emulator/clock/advance", { body: { ms: 0 }, ...asText }))).toBe(415);
    const huge = { ms: 0, padding: "x".repeat(2 * 1024 * 1024) };
    expect(await status(api().POST("/__emulator/clock/advance", { body: huge }))).toBe(413);
    expect(
      await status(api().POST("/__emulator/tokens/revoke", { body: { token: "x", clientId: "y" } })),
    ).toBe(400);
    await control.jobs();
    await control.journal({ limit: 5 });
    expect(await status(api().GET("/__emulator/journal", { params: { query: { limit: 0 } } }))).toBe(400);
    await control.faults();
    const added = await control.addFault({ route: "GET /nowhere", status: 503 });
    expect(await control.removeFault(added.id)).toBe(true);
    expect(await control.removeFault(added.id)).toBe(false);
    // A status the spec does not allow, sent on purpose to see the 400.
    const teapot = { status: 418 } as unknown as EmulatorFaultRuleInput;
    expect(await status(api().POST("/__emulator/faults", { body: teapot }))).toBe(400);
    await control.clearFaults();
  });

  it("control API for the inspector: events, tokens, thumbnails, limits and cassette, with their 400, 403 and 404", async () => {
    // `limit` ends the stream, so the recorder can read the whole body.
    const events = (limit: number) =>
      status(api().GET("/__emulator/events", { params: { query: { limit } }, parseAs: "text" }));
    expect(await events(1)).toBe(200);
    expect(await events(0)).toBe(400);
    const headers = await token();
    const tokens = await env().control.tokens();
    expect(tokens.length).toBeGreaterThan(0);
    expect(await env().control.revokeTokens({ tokenId: String(tokens[0]?.tokenId) })).toBe(true);
    expect((await call("GET", "/pie/psdService/hello", {}, headers)).status).toBe(401);
    const { body } = await maskRequest(env(), "sweep-thumbnail");
    expect((await call("POST", "/sensei/mask", { json: body }, await token())).status).toBe(202);
    const [job] = await env().control.jobs();
    const thumbnail = (index: number) =>
      status(
        api().GET("/__emulator/jobs/{jobId}/thumbnails/{index}", {
          params: { path: { jobId: String(job?.jobId), index } },
          parseAs: "arrayBuffer",
        }),
      );
    expect(await thumbnail(0)).toBe(200);
    expect(await thumbnail(7)).toBe(404);
    await env().control.limits();
    // A live emulator serves no cassette (its 200 is checked in @psapi/mock-server's replay tests).
    expect(await status(api().GET("/__emulator/cassette"))).toBe(404);
    // A page on another origin may not change state.
    expect(
      await status(api().POST("/__emulator/reset", { headers: { origin: "http://evil.example" } })),
    ).toBe(403);
  });

  it("storage: presign 200 and 400; objects 200, 403 and 404 for GET, HEAD and PUT", async () => {
    const { control } = env();
    expect(
      await status(api().POST("/__emulator/storage/presign", { body: { key: "/bad", method: "GET" } })),
    ).toBe(400);
    await control.putObject("sweep.bin", new Uint8Array([1, 2, 3]), "application/octet-stream");
    const get = (await control.presign("sweep.bin", "GET")).url;
    expect((await call("GET", get)).status).toBe(200);
    expect((await call("HEAD", get)).status).toBe(200);
    expect((await call("GET", get.replace(/sig=[^&]+/, "sig=AAAA"))).status).toBe(403);
    expect((await call("HEAD", get.replace(/sig=[^&]+/, "sig=AAAA"))).status).toBe(403);
    expect((await call("GET", (await control.presign("missing.bin", "GET")).url)).status).toBe(404);
    expect((await call("HEAD", (await control.presign("missing.bin", "GET")).url)).status).toBe(404);
    const put = (await control.presign("sweep-expiring.bin", "PUT", { expiresIn: 1 })).url;
    await control.advanceClock(2_000);
    expect((await call("PUT", put, { text: "late" })).status).toBe(403);
  });

  it("current contract: every operation's 202, 400, 401, 403, 413, 415 and 422, status 200, and 404 for unknown jobs", async () => {
    const headers = await token();
    const url = await env().control.putObject("sweep-current.png", await subjectPng(64, 48), "image/png");
    const missing = (await env().control.presign("sweep-missing.png", "GET")).url;
    const image = { source: { url } };
    const submissions = currentSubmissions(url);
    // create-artboard takes `images[]` where the others take `image`.
    const withImage = (body: Record<string, unknown>, source: unknown) =>
      "images" in body ? { ...body, images: [source] } : { ...body, image: source };
    const statusUrls: string[] = [];
    for (const [path, body] of submissions) {
      const accepted = await call("POST", path, { json: body }, headers);
      expect([path, accepted.status]).toEqual([path, 202]);
      statusUrls.push(String(accepted.json().statusUrl));
      expect((await call("POST", path, { json: withImage(body, {}) }, headers)).status).toBe(400);
      expect((await call("POST", path, { text: JSON.stringify(body) }, headers)).status).toBe(415);
      const huge = { ...body, padding: "x".repeat(2 * 1024 * 1024) };
      expect((await call("POST", path, { json: huge }, headers)).status).toBe(413);
      const offList = withImage(body, { source: { url: "https://example.com/in.png" } });
      expect((await call("POST", path, { json: offList }, headers)).status).toBe(400);
      const unreadable = withImage(body, { source: { url: missing } });
      // Auto-crop sits under /v1 but answers in the v2 family (422 for an input it cannot read).
      expect((await call("POST", path, { json: unreadable }, headers)).status).toBe(
        path.startsWith("/v2/") || path === "/v1/auto-crop" ? 422 : 400,
      );
    }
    const badToken = { ...headers, Authorization: "Bearer not-a-token" };
    expect((await call("POST", "/v2/remove-background", { json: { image } }, badToken)).status).toBe(401);
    expect(
      (await call("POST", "/v1/mask-objects", { json: { image } }, { ...headers, "x-api-key": "nobody" }))
        .status,
    ).toBe(403);
    await env().control.advanceClock(1_000);
    for (const statusUrl of statusUrls) {
      const final = await call("GET", statusUrl, {}, headers);
      expect([statusUrl, final.status, final.json().status]).toEqual([statusUrl, 200, "succeeded"]);
    }
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await call("GET", `/v2/status/${unknown}`, {}, headers)).status).toBe(404);
    expect((await call("GET", `/v1/status/${unknown}`, {}, headers)).status).toBe(404);
    expect((await call("GET", `/v1/status/${unknown}`, {}, badToken)).status).toBe(401);
  });

  it("reset: 204, and every job is gone", async () => {
    await env().control.reset();
    expect(await env().control.jobs()).toEqual([]);
  });

  it("exercised every operation the four specs declare", async () => {
    const exercised = new Set(env().recorder.exchanges.map((exchange) => exchange.operationId));
    const declared = PSAPI_CHECKER.operations().map((operation) => operation.operationId);
    expect(declared.filter((operationId) => !exercised.has(operationId))).toEqual([]);
  });
});

import { createFakeClock } from "@psapi/core/testing";
import { decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  form,
  getToken,
  postJson,
  TEST_START,
  testEmulator,
} from "../testing/helpers.js";

const credentials = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

async function oauthError(res: Response) {
  return { status: res.status, body: (await res.json()) as { error: string; error_description: string } };
}

describe("POST /ims/token/v3 client_credentials", () => {
  it("issues a bearer token with expires_in in seconds and no refresh token", async () => {
    const { app } = testEmulator();
    const res = await app.request(
      "/ims/token/v3",
      form({ grant_type: "client_credentials", ...credentials, scope: "openid,AdobeID,read_organizations" }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 86399 });
    expect(body).not.toHaveProperty("refresh_token");
  });

  it("mints JWT-shaped tokens carrying client_id, scope, created_at and expires_in in ms strings", async () => {
    const { app, clock } = testEmulator({ tokenLifetimeSeconds: 60 });
    const res = await app.request(
      "/ims/token/v3",
      form({ grant_type: "client_credentials", ...credentials, scope: "openid,AdobeID" }),
    );
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeProtectedHeader(access_token)).toMatchObject({ typ: "JWT", itt: "at" });
    expect(decodeJwt(access_token)).toMatchObject({
      type: "access_token",
      client_id: CLIENT_ID,
      scope: "openid,AdobeID",
      created_at: String(clock.now()),
      expires_in: "60000",
    });
  });

  it("accepts the parameters in the query string, as IMS does", async () => {
    const { app } = testEmulator();
    const query = new URLSearchParams({ grant_type: "client_credentials", ...credentials });
    const res = await app.request(`/ims/token/v3?${query}`, { method: "POST" });
    expect(res.status).toBe(200);
  });

  it("accepts a multipart form (aio-lib-ims) on /ims/token/v2", async () => {
    const { app } = testEmulator();
    const body = new FormData();
    body.set("grant_type", "client_credentials");
    body.set("client_id", CLIENT_ID);
    body.set("client_secret", CLIENT_SECRET);
    const res = await app.request("/ims/token/v2", { method: "POST", body });
    expect(res.status).toBe(200);
  });

  it("answers 401 invalid_client alike for an unknown client and a wrong secret", async () => {
    const { app } = testEmulator();
    const unknown = await oauthError(
      await app.request(
        "/ims/token/v3",
        form({ grant_type: "client_credentials", client_id: "nobody", client_secret: "x" }),
      ),
    );
    const wrong = await oauthError(
      await app.request(
        "/ims/token/v3",
        form({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: "nope" }),
      ),
    );
    expect(unknown).toEqual({
      status: 401,
      body: { error: "invalid_client", error_description: "invalid client credentials" },
    });
    expect(wrong).toEqual(unknown);
  });

  it("answers 400 unsupported_grant_type, invalid_request and invalid_scope", async () => {
    const { app } = testEmulator();
    const grant = await oauthError(
      await app.request("/ims/token/v3", form({ grant_type: "password", ...credentials })),
    );
    expect(grant).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
    const missing = await oauthError(await app.request("/ims/token/v3", form(credentials)));
    expect(missing).toMatchObject({
      status: 400,
      body: { error: "invalid_request", error_description: "grant_type is required" },
    });
    const noSecret = await oauthError(
      await app.request("/ims/token/v3", form({ grant_type: "client_credentials", client_id: CLIENT_ID })),
    );
    expect(noSecret).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const scope = await oauthError(
      await app.request(
        "/ims/token/v3",
        form({ grant_type: "client_credentials", ...credentials, scope: "openid,admin" }),
      ),
    );
    expect(scope).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    expect(scope.body.error_description).toContain("admin");
  });

  it("never echoes the client secret in an error", async () => {
    const { app } = testEmulator();
    const res = await app.request(
      "/ims/token/v3",
      form({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: "s3cr3t-value" }),
    );
    expect(await res.text()).not.toContain("s3cr3t-value");
  });

  it("answers 413 invalid_request for a body over the limit", async () => {
    const { app } = testEmulator({ limits: { maxBodyBytes: 100 } });
    const res = await app.request(
      "/ims/token/v3",
      form({ grant_type: "client_credentials", ...credentials, pad: "x".repeat(200) }),
    );
    expect(await oauthError(res)).toMatchObject({ status: 413, body: { error: "invalid_request" } });
  });

  it("makes tokens expire after their lifetime on the emulator clock", async () => {
    const { app } = testEmulator({ tokenLifetimeSeconds: 10 });
    const token = await getToken(app);
    const headers = { authorization: `Bearer ${token}`, "x-api-key": CLIENT_ID };
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    await app.request("/__emulator/clock/advance", postJson({ ms: 9_999 }));
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    await app.request("/__emulator/clock/advance", postJson({ ms: 1 }));
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(401);
  });
});

describe("authorization_code and rotating refresh tokens", () => {
  async function codeFor(app: ReturnType<typeof testEmulator>["app"]) {
    const res = await app.request("/__emulator/ims/authorization-codes", postJson({ clientId: CLIENT_ID }));
    expect(res.status).toBe(201);
    return ((await res.json()) as { code: string }).code;
  }

  it("exchanges a code once for an access token and a refresh token", async () => {
    const { app } = testEmulator();
    const code = await codeFor(app);
    const first = await app.request(
      "/ims/token/v3",
      form({ grant_type: "authorization_code", code, ...credentials }),
    );
    expect(first.status).toBe(200);
    const body = (await first.json()) as { refresh_token: string; expires_in: number };
    expect(body.refresh_token).toMatch(/^[\w-]{20,}$/);
    expect(body.expires_in).toBe(86399);
    const again = await app.request(
      "/ims/token/v3",
      form({ grant_type: "authorization_code", code, ...credentials }),
    );
    expect(await oauthError(again)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("rotates the refresh token: the new one works, the old one is invalid_grant", async () => {
    const { app } = testEmulator();
    const code = await codeFor(app);
    const { refresh_token: r1 } = (await (
      await app.request("/ims/token/v3", form({ grant_type: "authorization_code", code, ...credentials }))
    ).json()) as { refresh_token: string };
    const second = await app.request(
      "/ims/token/v3",
      form({ grant_type: "refresh_token", refresh_token: r1, ...credentials }),
    );
    expect(second.status).toBe(200);
    const { refresh_token: r2, access_token } = (await second.json()) as {
      refresh_token: string;
      access_token: string;
    };
    expect(r2).not.toBe(r1);
    expect(decodeJwt(access_token).scope).toBe("openid,AdobeID,offline_access");
    const reuse = await app.request(
      "/ims/token/v3",
      form({ grant_type: "refresh_token", refresh_token: r1, ...credentials }),
    );
    expect(await oauthError(reuse)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const third = await app.request(
      "/ims/token/v3",
      form({ grant_type: "refresh_token", refresh_token: r2, ...credentials }),
    );
    expect(third.status).toBe(200);
  });

  it("refuses a refresh token after its lifetime and one asking for wider scopes", async () => {
    const { app } = testEmulator({ refreshTokenLifetimeSeconds: 60 });
    const code = await codeFor(app);
    const { refresh_token } = (await (
      await app.request("/ims/token/v3", form({ grant_type: "authorization_code", code, ...credentials }))
    ).json()) as { refresh_token: string };
    const wider = await app.request(
      "/ims/token/v3",
      form({ grant_type: "refresh_token", refresh_token, scope: "firefly_api", ...credentials }),
    );
    expect(await oauthError(wider)).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    const code2 = await codeFor(app);
    const { refresh_token: fresh } = (await (
      await app.request(
        "/ims/token/v3",
        form({ grant_type: "authorization_code", code: code2, ...credentials }),
      )
    ).json()) as { refresh_token: string };
    await app.request("/__emulator/clock/advance", postJson({ ms: 60_000 }));
    const expired = await app.request(
      "/ims/token/v3",
      form({ grant_type: "refresh_token", refresh_token: fresh, ...credentials }),
    );
    expect(await oauthError(expired)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("answers invalid_request when the code or refresh token is missing", async () => {
    const { app } = testEmulator();
    for (const grant_type of ["authorization_code", "refresh_token"]) {
      const res = await app.request("/ims/token/v3", form({ grant_type, ...credentials }));
      expect(await oauthError(res)).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    }
  });
});

describe("POST /ims/exchange/jwt", () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let publicPem: string;
  beforeAll(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    otherKey = (await generateKeyPair("RS256")).privateKey;
  });

  const jwtClient = () => ({ clientId: "jwt-client", clientSecret: "jwt-secret", jwtPublicKey: publicPem });

  async function signJwt(key: CryptoKey, nowSeconds: number, claims: Record<string, unknown> = {}) {
    return new SignJWT({
      iss: "ORG@AdobeOrg",
      sub: "TECH@techacct.adobe.com",
      aud: "https://ims-na1.adobelogin.com/c/jwt-client",
      "https://ims-na1.adobelogin.com/s/ent_ccas_sdk": true,
      ...claims,
    })
      .setProtectedHeader({ alg: "RS256" })
      .setExpirationTime(nowSeconds + 300)
      .sign(key);
  }

  function exchange(app: ReturnType<typeof testEmulator>["app"], jwt: string, secret = "jwt-secret") {
    return app.request(
      "/ims/exchange/jwt",
      form({ client_id: "jwt-client", client_secret: secret, jwt_token: jwt }),
    );
  }

  it("verifies an RS256 JWT against the configured key and answers expires_in in ms", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({ clock, clients: [jwtClient()] });
    const res = await exchange(app, await signJwt(privateKey, clock.now() / 1000));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 86_399_000 });
    expect(decodeJwt(body.access_token)).toMatchObject({ client_id: "jwt-client", scope: "ent_ccas_sdk" });
    const hello = await app.request("/pie/psdService/hello", {
      headers: { authorization: `Bearer ${body.access_token}`, "x-api-key": "jwt-client" },
    });
    expect(hello.status).toBe(200);
  });

  it("answers invalid_signature for a JWT signed with another key", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({ clock, clients: [jwtClient()] });
    const res = await exchange(app, await signJwt(otherKey, clock.now() / 1000));
    expect(await oauthError(res)).toMatchObject({ status: 400, body: { error: "invalid_signature" } });
  });

  it("answers invalid_token for an expired JWT, judged on the emulator clock", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({ clock, clients: [jwtClient()] });
    const jwt = await signJwt(privateKey, clock.now() / 1000);
    await app.request("/__emulator/clock/advance", postJson({ ms: 301_000 }));
    expect(await oauthError(await exchange(app, jwt))).toMatchObject({
      status: 400,
      body: { error: "invalid_token" },
    });
  });

  it("answers invalid_client for a wrong aud, invalid_scope with no meta-scope, invalid_token for garbage", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({ clock, clients: [jwtClient()] });
    const now = clock.now() / 1000;
    const aud = await signJwt(privateKey, now, { aud: "https://ims-na1.adobelogin.com/c/someone-else" });
    expect(await oauthError(await exchange(app, aud))).toMatchObject({
      status: 400,
      body: { error: "invalid_client" },
    });
    const noScope = await signJwt(privateKey, now, {
      "https://ims-na1.adobelogin.com/s/ent_ccas_sdk": false,
    });
    expect(await oauthError(await exchange(app, noScope))).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
    expect(await oauthError(await exchange(app, "not.a.jwt"))).toMatchObject({
      status: 400,
      body: { error: "invalid_token" },
    });
  });

  it("answers invalid_client for an unknown client (400), a wrong secret or a client without a key (401)", async () => {
    const clock = createFakeClock({ start: TEST_START });
    const { app } = testEmulator({
      clock,
      clients: [jwtClient(), { clientId: "plain", clientSecret: "plain-secret" }],
    });
    const jwt = await signJwt(privateKey, clock.now() / 1000);
    const unknown = await app.request(
      "/ims/exchange/jwt",
      form({ client_id: "nobody", client_secret: "x", jwt_token: jwt }),
    );
    expect(await oauthError(unknown)).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    expect(await oauthError(await exchange(app, jwt, "wrong"))).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });
    const noKey = await app.request(
      "/ims/exchange/jwt",
      form({ client_id: "plain", client_secret: "plain-secret", jwt_token: jwt }),
    );
    expect(await oauthError(noKey)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const missing = await app.request(
      "/ims/exchange/jwt",
      form({ client_id: "jwt-client", client_secret: "jwt-secret" }),
    );
    expect(await oauthError(missing)).toMatchObject({ status: 400, body: { error: "invalid_token" } });
  });
});

describe("POST /ims/exchange/jwt with a misconfigured key", () => {
  it("answers 401 invalid_client when the client's jwtPublicKey is not a PEM key", async () => {
    const { app } = testEmulator({
      clients: [{ clientId: "c", clientSecret: "s", jwtPublicKey: "not a pem" }],
    });
    const res = await app.request(
      "/ims/exchange/jwt",
      form({ client_id: "c", client_secret: "s", jwt_token: "a.b.c" }),
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });
});

import { describe, expect, it } from "vitest";
import { authHeaders, CLIENT_ID, getToken, postJson, testEmulator } from "../testing/helpers.js";

const OTHER = { clientId: "other-client", clientSecret: "other-secret" };
const DEMO = { clientId: CLIENT_ID, clientSecret: "psapi-demo-secret" };

const API_ROUTES: [string, string][] = [
  ["GET", "/pie/psdService/hello"],
  ["POST", "/pie/psdService/documentManifest"],
  ["GET", "/pie/psdService/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67"],
  ["POST", "/sensei/mask"],
  ["POST", "/sensei/cutout"],
  ["GET", "/sensei/status/f54e0fcb-260b-47c3-b520-de0d17dc2b67"],
];

const UNAUTHORIZED = { error_code: "401013", message: "Oauth token is not valid" };
const FORBIDDEN = { error_code: "403003", message: "Api Key is invalid" };

describe("gateway", () => {
  it.each(API_ROUTES)(
    "answers 401 401013 on %s %s without a token, with an unknown one or a malformed header",
    async (method, path) => {
      const { app } = testEmulator();
      for (const authorization of [undefined, "Bearer not-a-token", "Basic abc", "Bearer"]) {
        const headers: Record<string, string> = { "x-api-key": CLIENT_ID };
        if (authorization) headers.authorization = authorization;
        const res = await app.request(path, { method, headers });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual(UNAUTHORIZED);
      }
    },
  );

  it.each(API_ROUTES)(
    "answers 403 403003 on %s %s for a missing, unknown or other client's x-api-key",
    async (method, path) => {
      const { app } = testEmulator({ clients: [DEMO, OTHER] });
      const authorization = `Bearer ${await getToken(app)}`;
      for (const apiKey of [undefined, "unknown-key", OTHER.clientId]) {
        const headers: Record<string, string> = { authorization };
        if (apiKey) headers["x-api-key"] = apiKey;
        const res = await app.request(path, { method, headers });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual(FORBIDDEN);
      }
    },
  );

  it("checks the token before the key: no token and no key is 401", async () => {
    const { app } = testEmulator();
    expect((await app.request("/pie/psdService/hello")).status).toBe(401);
  });

  it("refuses a token signed by another emulator instance", async () => {
    const { app } = testEmulator();
    const { app: other } = testEmulator();
    const res = await app.request("/pie/psdService/hello", {
      headers: { authorization: `Bearer ${await getToken(other)}`, "x-api-key": CLIENT_ID },
    });
    expect(res.status).toBe(401);
  });

  it("refuses one revoked token and keeps the others", async () => {
    const { app } = testEmulator();
    const revoked = await getToken(app);
    const kept = await getToken(app);
    const res = await app.request("/__emulator/tokens/revoke", postJson({ token: revoked }));
    expect(await res.json()).toEqual({ revoked: true });
    const hello = (token: string) =>
      app.request("/pie/psdService/hello", {
        headers: { authorization: `Bearer ${token}`, "x-api-key": CLIENT_ID },
      });
    expect((await hello(revoked)).status).toBe(401);
    expect((await hello(kept)).status).toBe(200);
  });

  it("refuses a token revoked after it was accepted (verified tokens are cached, revocation still wins)", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    const token = headers.authorization?.slice("Bearer ".length);
    await app.request("/__emulator/tokens/revoke", postJson({ token }));
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(401);
    const again = await authHeaders(app);
    expect((await app.request("/pie/psdService/hello", { headers: again })).status).toBe(200);
    await app.request("/__emulator/tokens/revoke", postJson({ clientId: CLIENT_ID }));
    expect((await app.request("/pie/psdService/hello", { headers: again })).status).toBe(401);
  });

  it("revokes every token of one client, and later tokens still work", async () => {
    const { app } = testEmulator({ clients: [DEMO, OTHER] });
    const demo = await getToken(app);
    const other = await getToken(app, OTHER.clientId, OTHER.clientSecret);
    await app.request("/__emulator/tokens/revoke", postJson({ clientId: CLIENT_ID }));
    const hello = (token: string, key: string) =>
      app.request("/pie/psdService/hello", {
        headers: { authorization: `Bearer ${token}`, "x-api-key": key },
      });
    expect((await hello(demo, CLIENT_ID)).status).toBe(401);
    expect((await hello(other, OTHER.clientId)).status).toBe(200);
    expect((await hello(await getToken(app), CLIENT_ID)).status).toBe(200);
  });

  it("revokes every token with an empty body, and answers revoked:false for an invalid token", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const all = await app.request("/__emulator/tokens/revoke", { method: "POST" });
    expect(await all.json()).toEqual({ revoked: true });
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(401);
    const none = await app.request("/__emulator/tokens/revoke", postJson({ token: "garbage" }));
    expect(await none.json()).toEqual({ revoked: false });
    const unknown = await app.request("/__emulator/tokens/revoke", postJson({ clientId: "no-such-client" }));
    expect(await unknown.json()).toEqual({ revoked: false });
  });

  it("refuses tokens issued before a reset", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    expect((await app.request("/__emulator/reset", { method: "POST" })).status).toBe(204);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(401);
  });
});

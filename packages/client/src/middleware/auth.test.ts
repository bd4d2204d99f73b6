import { createServerToServerAuth, createStaticTokenAuth, ImsError } from "@psapi/auth";
import { describe, expect, it } from "vitest";
import { PhotoshopApiError } from "../errors/photoshop-api-error.js";
import { fakeAuth } from "../testing/fake-auth.js";
import { json } from "../testing/fake-fetch.js";
import { setup } from "../testing/setup.js";

const ok = () => new Response("Welcome to the Photoshop API!", { status: 200 });
const unauthorized = () => json(401, { error_code: "401013", message: "Oauth token is not valid" });

describe("auth middleware", () => {
  it("sends the bearer token and the API key on every request", async () => {
    const { client, clock, seen } = setup([ok()]);
    await clock.run(client.hello());
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer token-1");
    expect(seen[0]?.headers.get("x-api-key")).toBe("test-client");
  });

  it("answers a 401 by invalidating the token and replaying once with a fresh one", async () => {
    const { client, clock, seen, auth } = setup([unauthorized(), ok()]);
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(auth.invalidated).toEqual(["token-1"]);
    expect(seen.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer token-1",
      "Bearer token-2",
    ]);
  });

  it("replays a POST body unchanged after a 401", async () => {
    const { client, clock, seen } = setup([
      unauthorized(),
      json(202, { _links: { self: { href: "https://image.adobe.io/sensei/status/j1" } } }),
    ]);
    const body = {
      input: { href: "https://bucket.example/in.jpg", storage: "external" as const },
      output: { href: "https://bucket.example/out.png", storage: "external" as const },
    };
    await clock.run(client.createMask(body));
    expect(seen).toHaveLength(2);
    expect(seen[1]?.body).toBe(JSON.stringify(body));
  });

  it("replays only once: a second 401 reaches the caller", async () => {
    const { client, clock, seen, auth } = setup([unauthorized()]);
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(2);
    expect(auth.invalidated).toEqual(["token-1"]);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({ status: 401, errorCode: "401013", retryable: false });
    expect(JSON.stringify(error)).not.toContain("token-");
  });

  it("does not replay when the auth has no other token to give", async () => {
    const auth = fakeAuth(["only-token"]);
    const { client, clock, seen } = setup([unauthorized(), ok()], { auth });
    await expect(clock.run(client.hello())).rejects.toMatchObject({ status: 401 });
    expect(seen).toHaveLength(1);
    expect(auth.invalidated).toEqual(["only-token"]);
  });

  it("surfaces a static token's 401 as PhotoshopApiError after exactly one attempt", async () => {
    const auth = createStaticTokenAuth({ accessToken: "static-token", clientId: "test-client" });
    const { client, clock, seen } = setup([unauthorized(), ok()], { auth });
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(PhotoshopApiError);
    expect(error).toMatchObject({ status: 401, errorCode: "401013" });
  });

  it("replays a refreshable auth's 401 once, with the token IMS issued next", async () => {
    const issued = ["s2s-1", "s2s-2"];
    const auth = createServerToServerAuth({
      clientId: "test-client",
      clientSecret: "secret",
      fetch: async () => json(200, { access_token: issued.shift(), token_type: "bearer", expires_in: 3600 }),
    });
    const { client, clock, seen } = setup([unauthorized(), ok()], { auth });
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(seen.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer s2s-1",
      "Bearer s2s-2",
    ]);
  });

  it("surfaces IMS refusing the refresh after a 401 as ImsError, with no replay", async () => {
    const answers = [
      json(200, { access_token: "s2s-1", token_type: "bearer", expires_in: 3600 }),
      json(401, { error: "invalid_client", error_description: "client secret revoked" }),
    ];
    const auth = createServerToServerAuth({
      clientId: "test-client",
      clientSecret: "secret",
      fetch: async () => answers.shift() ?? json(500, {}),
    });
    const { client, clock, seen } = setup([unauthorized(), ok()], { auth });
    const error = await clock.run(client.hello()).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ImsError);
    expect(error).toMatchObject({ error: "invalid_client", status: 401 });
  });

  it("refuses to send the token to a host other than the baseUrl's", async () => {
    const { client, clock, seen } = setup([ok()]);
    const call = client.raw.GET("/pie/psdService/hello", { baseUrl: "https://attacker.example" });
    await expect(clock.run(call)).rejects.toThrow(
      /refusing to send credentials to https:\/\/attacker\.example/,
    );
    expect(seen).toHaveLength(0);
  });

  it("refuses an http downgrade of the baseUrl's host", async () => {
    const { client, clock, seen } = setup([ok()]);
    const call = client.raw.GET("/pie/psdService/hello", { baseUrl: "http://image.adobe.io" });
    await expect(clock.run(call)).rejects.toThrow(/refusing to send credentials/);
    expect(seen).toHaveLength(0);
  });

  it("never follows a redirect, so credentials cannot be carried to another host", async () => {
    const { client, clock, seen } = setup([
      new Response(null, { status: 302, headers: { location: "https://attacker.example/" } }),
    ]);
    await expect(clock.run(client.hello())).rejects.toMatchObject({ status: 302, retryable: false });
    expect(seen.map((request) => request.redirect)).toEqual(["manual"]);
  });

  it("refreshes a token that expired during a back-off, and retries a replay that meets a 503", async () => {
    const { client, clock, seen, auth } = setup([
      json(503, { error_code: "503001", message: "Service Unavailable" }),
      unauthorized(),
      json(503, { error_code: "503001", message: "Service Unavailable" }),
      ok(),
    ]);
    await expect(clock.run(client.hello())).resolves.toBe("Welcome to the Photoshop API!");
    expect(auth.invalidated).toEqual(["token-1"]);
    expect(seen.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer token-1",
      "Bearer token-1",
      "Bearer token-2",
      "Bearer token-2",
    ]);
  });
});

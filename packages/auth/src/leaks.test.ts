import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { authFromEnv } from "./from-env.js";
import { ImsError } from "./ims-error.js";
import { createJwtAuth } from "./jwt.js";
import { createRefreshTokenAuth } from "./refresh-token.js";
import { createServerToServerAuth } from "./server-to-server.js";
import { createStaticTokenAuth } from "./static-token.js";
import { json, tokenResponse } from "./testing/fake-ims.js";
import type { PhotoshopAuth } from "./types.js";

const SECRET = "Sup3rS3cretValue";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZWNoIn0.c2lnbmF0dXJl";
const REFRESH = "RefreshTokenValue";
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const KEY_BODY = pem.split("\n")[1] ?? "";
const SECRETS = [SECRET, TOKEN, REFRESH, KEY_BODY];

/** Everything a developer might log or serialise about a value. */
function views(value: unknown): string[] {
  const json = JSON.stringify(value) ?? "";
  const views = [json, inspect(value, { depth: 10, showHidden: false }), String(value)];
  if (value instanceof Error) views.push(value.message, value.stack ?? "", inspect(value.cause ?? null));
  return views;
}

function expectClean(value: unknown) {
  for (const view of views(value)) for (const secret of SECRETS) expect(view).not.toContain(secret);
}

function kinds(fetch: (request: Request) => Promise<Response>): Array<[string, PhotoshopAuth]> {
  const clock = createFakeClock({ start: 0, autoAdvance: true });
  return [
    ["server-to-server", createServerToServerAuth({ clientId: "c", clientSecret: SECRET, fetch, clock })],
    [
      "refresh token",
      createRefreshTokenAuth({ clientId: "c", clientSecret: SECRET, refreshToken: REFRESH, fetch, clock }),
    ],
    [
      "jwt",
      createJwtAuth({
        clientId: "c",
        clientSecret: SECRET,
        privateKey: pem,
        technicalAccountId: "t@techacct.adobe.com",
        orgId: "o@AdobeOrg",
        metaScopes: ["ent_ccas_sdk"],
        fetch,
        clock,
      }),
    ],
    ["static", createStaticTokenAuth({ accessToken: TOKEN, clientId: "c" })],
    [
      "from env",
      authFromEnv({ PHOTOSHOP_CLIENT_ID: "c", PHOTOSHOP_CLIENT_SECRET: SECRET }, { fetch, clock }),
    ],
  ];
}

describe("no secret leaks", () => {
  it.each(kinds(async () => tokenResponse(TOKEN, 86_400, { refresh_token: REFRESH })))(
    "%s: the auth object, its token and its headers show no secret when serialised or inspected",
    async (_, auth) => {
      const token = await auth.getToken();
      const headers = await auth.headers();
      expect(token.accessToken).toBe(TOKEN);
      expect(headers.Authorization).toBe(`Bearer ${TOKEN}`);
      for (const value of [auth, token, headers, [token], { nested: { token, headers } }]) expectClean(value);
      expect(JSON.parse(JSON.stringify(token))).toMatchObject({ accessToken: "[REDACTED]", clientId: "c" });
      expect(inspect(headers)).toContain("Bearer [REDACTED]");
      expect(Object.isFrozen(token)).toBe(true);
    },
  );

  it.each(
    kinds(async (request) => {
      const form = await request.text();
      // A hostile or buggy IMS echoing everything it was sent, in every field.
      return json(400, {
        error: `invalid_request ${form}`,
        error_description: `got ${form} and Bearer ${TOKEN}`,
      });
    }).filter(([name]) => name !== "static"),
  )("%s: an ImsError built from an IMS answer echoing the request shows no secret", async (_, auth) => {
    const error = await auth.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImsError);
    expectClean(error);
  });

  it.each(
    kinds(() => Promise.reject(new Error(`connect failed, client_secret=${SECRET} Bearer ${TOKEN}`))).filter(
      ([name]) => name !== "static",
    ),
  )("%s: a network ImsError shows no secret", async (_, auth) => {
    const error = await auth.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ error: "network_error" });
    expectClean(error);
  });

  it("option errors never quote secrets", () => {
    const attempts = [
      () => createServerToServerAuth({ clientId: SECRET.replace("S", " "), clientSecret: SECRET }),
      () => createStaticTokenAuth({ accessToken: `${TOKEN} `, clientId: "c" }),
      () =>
        createJwtAuth({
          clientId: "c",
          clientSecret: SECRET,
          privateKey: pem.replace("PRIVATE", "PUBLIC"),
          technicalAccountId: "t@techacct.adobe.com",
          orgId: "o@AdobeOrg",
          metaScopes: ["m"],
        }),
    ];
    for (const attempt of attempts) {
      const error = (() => {
        try {
          attempt();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(TypeError);
      expectClean(error);
    }
  });
});

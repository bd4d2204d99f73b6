import { generateKeyPairSync } from "node:crypto";
import { createFakeClock } from "@psapi/core/testing";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createJwtAuth, type JwtAuthOptions } from "./jwt.js";
import { createFakeIms, json } from "./testing/fake-ims.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const NOW = 1_750_000_000_000;

function setup(overrides: Partial<JwtAuthOptions> = {}) {
  const clock = createFakeClock({ start: NOW, autoAdvance: true });
  const ims = createFakeIms(() =>
    json(200, { access_token: "jwt-access", token_type: "bearer", expires_in: 86_399_999 }),
  );
  const auth = createJwtAuth({
    clientId: "jwt-client",
    clientSecret: "jwt-secret",
    privateKey: pkcs8,
    technicalAccountId: "TECH123@techacct.adobe.com",
    orgId: "ORG456@AdobeOrg",
    metaScopes: ["ent_ccas_sdk"],
    fetch: ims.fetch,
    clock,
    ...overrides,
  });
  return { auth, ims };
}

describe("createJwtAuth", () => {
  it("signs an RS256 JWT that verifies against the public key, with Adobe's claims", async () => {
    const { auth, ims } = setup();
    await auth.getToken();
    const jwt = ims.calls[0]?.form.get("jwt_token") ?? "";
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: "RS256", typ: "JWT" });
    const { payload } = await jwtVerify(jwt, publicKey, {
      algorithms: ["RS256"],
      issuer: "ORG456@AdobeOrg",
      subject: "TECH123@techacct.adobe.com",
      audience: "https://ims-na1.adobelogin.com/c/jwt-client",
      currentDate: new Date(NOW),
    });
    expect(payload).toEqual({
      iss: "ORG456@AdobeOrg",
      sub: "TECH123@techacct.adobe.com",
      aud: "https://ims-na1.adobelogin.com/c/jwt-client",
      iat: NOW / 1000,
      exp: NOW / 1000 + 300,
      "https://ims-na1.adobelogin.com/s/ent_ccas_sdk": true,
    });
  });

  it("exchanges it at /ims/exchange/jwt and reads expires_in as milliseconds", async () => {
    const { auth, ims } = setup();
    expect(await auth.getToken()).toMatchObject({
      accessToken: "jwt-access",
      expiresAt: NOW + 86_399_999,
      scopes: ["ent_ccas_sdk"],
    });
    expect(ims.calls[0]?.url).toBe("https://ims-na1.adobelogin.com/ims/exchange/jwt");
    expect([...(ims.calls[0]?.form.keys() ?? [])]).toEqual(["client_id", "client_secret", "jwt_token"]);
    expect(ims.calls[0]?.form.get("client_secret")).toBe("jwt-secret");
  });

  it("accepts a PKCS#1 PEM and a KeyObject", async () => {
    for (const key of [pkcs1, privateKey]) {
      const { auth } = setup({ privateKey: key });
      expect((await auth.getToken()).accessToken).toBe("jwt-access");
    }
  });

  it.each([
    [
      { privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----" },
      "privateKey must be an RSA private key",
    ],
    [{ privateKey: publicKey }, "privateKey must be an RSA private key"],
    [
      { privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey },
      "privateKey must be an RSA private key",
    ],
    [{ privateKey: undefined }, "privateKey must be an RSA private key"],
    [
      { technicalAccountId: "TECH123" },
      "technicalAccountId is required and must look like <id>@techacct.adobe.com",
    ],
    [{ orgId: "ORG456" }, "orgId is required and must look like <id>@AdobeOrg"],
    [{ orgId: undefined }, "orgId is required"],
    [{ metaScopes: [] }, "metaScopes must be a non-empty array"],
    [{ clientSecret: "" }, "clientSecret is required"],
    [{ clientId: "" }, "clientId is required"],
  ])("rejects bad options at once: %o", (overrides, message) => {
    expect(() => setup(overrides as never)).toThrow(`[@psapi/auth] ${message}`);
  });

  it("never quotes the private key in an error", () => {
    const broken = pkcs8.slice(0, 200);
    const error = (() => {
      try {
        setup({ privateKey: broken });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain(broken.slice(30, 80));
  });
});

import { describe, expect, it } from "vitest";
import { authFromEnv, CREDENTIAL_VARIABLES, hasEnvCredentials } from "./from-env.js";
import { createFakeIms } from "./testing/fake-ims.js";

describe("authFromEnv", () => {
  it("builds server-to-server auth from PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET", async () => {
    const ims = createFakeIms();
    const auth = authFromEnv(
      { PHOTOSHOP_CLIENT_ID: "id", PHOTOSHOP_CLIENT_SECRET: "secret" },
      { fetch: ims.fetch },
    );
    expect((await auth.getToken()).accessToken).toBe("token-1");
    expect(ims.calls[0]?.url).toBe("https://ims-na1.adobelogin.com/ims/token/v3");
    expect(ims.calls[0]?.form.get("client_secret")).toBe("secret");
  });

  it("builds server-to-server auth from PS_FF_SERVICES_CLIENT_ID and PS_FF_SERVICES_CLIENT_SECRET", async () => {
    const ims = createFakeIms();
    const auth = authFromEnv(
      { PS_FF_SERVICES_CLIENT_ID: "ff-id", PS_FF_SERVICES_CLIENT_SECRET: "ff-secret" },
      { fetch: ims.fetch },
    );
    expect(auth.clientId).toBe("ff-id");
    await auth.getToken();
    expect(ims.calls[0]?.form.get("client_secret")).toBe("ff-secret");
  });

  it("prefers the PHOTOSHOP_ family when both are set", () => {
    const auth = authFromEnv({
      PHOTOSHOP_CLIENT_ID: "ps",
      PHOTOSHOP_CLIENT_SECRET: "s",
      PS_FF_SERVICES_CLIENT_ID: "ff",
      PS_FF_SERVICES_CLIENT_SECRET: "s",
    });
    expect(auth.clientId).toBe("ps");
  });

  it("builds static auth from PHOTOSHOP_ACCESS_TOKEN with PHOTOSHOP_CLIENT_ID, without calling IMS", async () => {
    const ims = createFakeIms();
    const auth = authFromEnv(
      { PHOTOSHOP_ACCESS_TOKEN: "ready", PHOTOSHOP_CLIENT_ID: "id" },
      { fetch: ims.fetch },
    );
    expect({ ...(await auth.headers()) }).toEqual({ Authorization: "Bearer ready", "x-api-key": "id" });
    expect(ims.calls).toHaveLength(0);
  });

  it("builds static auth from PS_FF_SERVICES_ACCESS_TOKEN with PS_FF_SERVICES_CLIENT_ID", async () => {
    const auth = authFromEnv({ PS_FF_SERVICES_ACCESS_TOKEN: "ready", PS_FF_SERVICES_CLIENT_ID: "ff" });
    expect((await auth.getToken()).accessToken).toBe("ready");
  });

  it("builds server-to-server auth from all three PS_FF_SERVICES_ variables", async () => {
    const ims = createFakeIms();
    const auth = authFromEnv(
      {
        PS_FF_SERVICES_CLIENT_ID: "ff",
        PS_FF_SERVICES_CLIENT_SECRET: "s",
        PS_FF_SERVICES_ACCESS_TOKEN: "ready",
      },
      { fetch: ims.fetch },
    );
    expect((await auth.getToken()).accessToken).toBe("token-1");
  });

  it("trims values, so a secret read from a file with a trailing newline works", async () => {
    const ims = createFakeIms();
    await authFromEnv(
      { PHOTOSHOP_CLIENT_ID: " id ", PHOTOSHOP_CLIENT_SECRET: "s\n" },
      { fetch: ims.fetch },
    ).getToken();
    expect(ims.calls[0]?.form.get("client_id")).toBe("id");
    expect(ims.calls[0]?.form.get("client_secret")).toBe("s");
  });

  it("prefers client credentials over a ready token, since they renew", async () => {
    const ims = createFakeIms();
    const auth = authFromEnv(
      { PHOTOSHOP_CLIENT_ID: "id", PHOTOSHOP_CLIENT_SECRET: "s", PHOTOSHOP_ACCESS_TOKEN: "ready" },
      { fetch: ims.fetch },
    );
    expect((await auth.getToken()).accessToken).toBe("token-1");
  });

  it("points at PHOTOSHOP_IMS_URL, unless overrides.imsUrl says otherwise", async () => {
    const ims = createFakeIms();
    const env = {
      PHOTOSHOP_CLIENT_ID: "id",
      PHOTOSHOP_CLIENT_SECRET: "s",
      PHOTOSHOP_IMS_URL: "http://127.0.0.1:4010",
    };
    await authFromEnv(env, { fetch: ims.fetch }).getToken();
    await authFromEnv(env, { fetch: ims.fetch, imsUrl: "https://ims.example.com" }).getToken();
    expect(ims.calls.map((call) => call.url)).toEqual([
      "http://127.0.0.1:4010/ims/token/v3",
      "https://ims.example.com/ims/token/v3",
    ]);
  });

  it("passes overrides such as scopes through", async () => {
    const ims = createFakeIms();
    await authFromEnv(
      { PHOTOSHOP_CLIENT_ID: "id", PHOTOSHOP_CLIENT_SECRET: "s" },
      { fetch: ims.fetch, scopes: ["openid"] },
    ).getToken();
    expect(ims.calls[0]?.form.get("scope")).toBe("openid");
  });

  it("reads process.env by default", () => {
    const saved = { ...process.env };
    try {
      process.env.PHOTOSHOP_CLIENT_ID = "from-process";
      process.env.PHOTOSHOP_CLIENT_SECRET = "s";
      expect(authFromEnv().clientId).toBe("from-process");
    } finally {
      process.env = saved;
    }
  });

  it.each([
    [
      {},
      "no credentials in the environment: set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET (or PS_FF_SERVICES_CLIENT_ID and PS_FF_SERVICES_CLIENT_SECRET), or PHOTOSHOP_ACCESS_TOKEN with PHOTOSHOP_CLIENT_ID",
    ],
    [{ PHOTOSHOP_CLIENT_ID: "  ", PHOTOSHOP_CLIENT_SECRET: "" }, "no credentials in the environment"],
    [
      { PHOTOSHOP_CLIENT_ID: "id" },
      "PHOTOSHOP_CLIENT_ID is set but PHOTOSHOP_CLIENT_SECRET is not: set it (or set PHOTOSHOP_ACCESS_TOKEN for a ready token)",
    ],
    [{ PHOTOSHOP_CLIENT_SECRET: "s" }, "PHOTOSHOP_CLIENT_SECRET is set but PHOTOSHOP_CLIENT_ID is not"],
    [{ PHOTOSHOP_ACCESS_TOKEN: "t" }, "PHOTOSHOP_ACCESS_TOKEN is set but PHOTOSHOP_CLIENT_ID is not"],
    [
      { PS_FF_SERVICES_CLIENT_ID: "id" },
      "PS_FF_SERVICES_CLIENT_ID is set but PS_FF_SERVICES_CLIENT_SECRET is not",
    ],
    [
      { PS_FF_SERVICES_ACCESS_TOKEN: "t" },
      "PS_FF_SERVICES_ACCESS_TOKEN is set but PS_FF_SERVICES_CLIENT_ID is not",
    ],
    [
      { PHOTOSHOP_CLIENT_ID: "id", PHOTOSHOP_CLIENT_SECRET: "s", PHOTOSHOP_IMS_URL: "ims-na1" },
      "PHOTOSHOP_IMS_URL must be an absolute URL",
    ],
    [
      {
        PHOTOSHOP_CLIENT_ID: "id",
        PHOTOSHOP_CLIENT_SECRET: "s",
        PHOTOSHOP_IMS_URL: "http://ims.example.com",
      },
      "PHOTOSHOP_IMS_URL must use https",
    ],
    [
      {
        PHOTOSHOP_CLIENT_ID: "id",
        PHOTOSHOP_CLIENT_SECRET: "s",
        PHOTOSHOP_IMS_URL: "https://ims.example.com/ims",
      },
      "PHOTOSHOP_IMS_URL must be an origin",
    ],
    [
      { PHOTOSHOP_CLIENT_ID: "bad id", PHOTOSHOP_CLIENT_SECRET: "s" },
      "PHOTOSHOP_CLIENT_ID is required and must be a non-empty string of visible ASCII",
    ],
  ])("explains what is wrong with %o", (env, message) => {
    expect(() => authFromEnv(env)).toThrow(`[@psapi/auth] ${message}`);
    // The same sentence as a field, for callers that word it themselves.
    expect(() => authFromEnv(env)).toThrow(
      expect.objectContaining({ problem: expect.stringContaining(message) }),
    );
  });

  it("never quotes a secret from the environment in an error", () => {
    const env = { PHOTOSHOP_CLIENT_SECRET: "very-secret", PHOTOSHOP_ACCESS_TOKEN: "very-token" };
    expect(() => authFromEnv(env)).toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/very-/) }),
    );
  });
});

describe("CREDENTIAL_VARIABLES and hasEnvCredentials", () => {
  it("lists every variable authFromEnv reads a credential from, both families", () => {
    expect(CREDENTIAL_VARIABLES).toEqual([
      "PHOTOSHOP_CLIENT_ID",
      "PHOTOSHOP_CLIENT_SECRET",
      "PHOTOSHOP_ACCESS_TOKEN",
      "PS_FF_SERVICES_CLIENT_ID",
      "PS_FF_SERVICES_CLIENT_SECRET",
      "PS_FF_SERVICES_ACCESS_TOKEN",
    ]);
    expect(Object.isFrozen(CREDENTIAL_VARIABLES)).toBe(true);
    // Each of them alone is "credentials set": authFromEnv then names what is missing.
    for (const name of CREDENTIAL_VARIABLES) {
      expect(hasEnvCredentials({ [name]: "x" })).toBe(true);
      expect(() => authFromEnv({ [name]: "x" })).toThrow(/is (not set|set but)/);
    }
  });

  it("reads blank values as unset, like authFromEnv", () => {
    expect(hasEnvCredentials({})).toBe(false);
    expect(hasEnvCredentials({ PHOTOSHOP_CLIENT_ID: "  ", PHOTOSHOP_API_URL: "http://127.0.0.1:4010" })).toBe(
      false,
    );
    expect(() => authFromEnv({ PHOTOSHOP_CLIENT_ID: "  " })).toThrow(/no credentials in the environment/);
  });

  it("reads process.env by default", () => {
    expect(typeof hasEnvCredentials()).toBe("boolean");
  });
});

import { describe, expect, it } from "vitest";
import * as auth from "./index.js";

describe("@psapi/auth public surface", () => {
  it("exports the runtime values the other packages use", () => {
    expect(Object.keys(auth).sort()).toEqual([
      "CREDENTIAL_VARIABLES",
      "DEFAULT_IMS_URL",
      "ImsError",
      "authFromEnv",
      "createJwtAuth",
      "createMemoryTokenStore",
      "createRefreshTokenAuth",
      "createServerToServerAuth",
      "createStaticTokenAuth",
      "errorSummary",
      "hasEnvCredentials",
      "tokenStoreKey",
    ]);
  });

  it("summarises errors for logs by class and code only", () => {
    expect(auth.errorSummary(new auth.ImsError("invalid_client", "bad secret xyz", 401))).toBe(
      "ImsError: invalid_client",
    );
    expect(auth.errorSummary(new RangeError("quoted input"))).toBe("RangeError");
    expect(auth.errorSummary(42)).toBe("number");
  });

  it("ImsError carries error, errorDescription and status in its message", () => {
    const error = new auth.ImsError("invalid_scope", "scope foo is not allowed", 400);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ImsError");
    expect(error.message).toBe("[@psapi/auth] IMS invalid_scope (HTTP 400): scope foo is not allowed");
    expect(new auth.ImsError("timeout", "no answer").message).toBe("[@psapi/auth] IMS timeout: no answer");
  });

  it.each([
    ["network_error", undefined, true],
    ["timeout", undefined, true],
    ["server_error", 503, true],
    ["http_500", 500, true],
    ["rate_limited", 429, true],
    ["invalid_client", 401, false],
    ["invalid_grant", 400, false],
    ["invalid_response", 200, false],
    ["invalid_token", undefined, false],
    // psapi's own codes only count without an HTTP status: a 400 body saying "timeout" is an OAuth error.
    ["timeout", 400, false],
  ] as const)("ImsError %s (HTTP %s) is retryable: %s", (code, status, retryable) => {
    expect(new auth.ImsError(code, "…", status).retryable).toBe(retryable);
  });
});

import { describe, expect, it } from "vitest";
import { isSecretName, REDACTED, redactText, redactUrl } from "./redact.js";

describe("redactUrl", () => {
  it("keeps origin and path and drops the query string and user info", () => {
    expect(redactUrl("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc")).toBe(
      `https://bucket.s3.amazonaws.com/a.png?${REDACTED}`,
    );
    expect(redactUrl(new URL("https://user:pw@example.com/x"))).toBe("https://example.com/x");
  });

  it("replaces what is not a URL entirely", () => {
    expect(redactUrl("not a url with secret")).toBe(REDACTED);
  });
});

describe("redactText", () => {
  it("redacts bearer tokens, JWTs and secret name=value pairs, and keeps the rest", () => {
    const jwt = "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0";
    expect(redactText(`Authorization: Bearer abc.def-ghi and ${jwt}`)).toBe(
      `Authorization: Bearer ${REDACTED} and ${REDACTED}`,
    );
    expect(redactText("grant_type=client_credentials&client_secret=xyz&scope=openid")).toBe(
      `grant_type=client_credentials&client_secret=${REDACTED}&scope=openid`,
    );
    expect(redactText('"refresh_token=abc" sig=1')).toBe(`"refresh_token=${REDACTED}" sig=${REDACTED}`);
  });
});

describe("isSecretName", () => {
  it("matches secret names in any case", () => {
    expect(isSecretName("Authorization")).toBe(true);
    expect(isSecretName("client_secret")).toBe(true);
    expect(isSecretName("scope")).toBe(false);
  });
});

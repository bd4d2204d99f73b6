import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { isSecretName, REDACTED, redactError, redactText, redactUrl } from "./redact.js";

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

describe("redactError", () => {
  it("copies name, message, the inner reason and a string code, scrubbed, and nothing else", () => {
    const thrown = Object.assign(
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4010"), { code: "ECONNREFUSED" }),
      }),
      { request: { headers: { authorization: "Bearer hung-on-the-error" } } },
    );
    const copy = redactError(thrown);
    expect(copy).not.toBe(thrown);
    expect(copy).toMatchObject({
      name: "TypeError",
      message: "fetch failed: connect ECONNREFUSED 127.0.0.1:4010",
      code: "ECONNREFUSED",
    });
    expect(copy.cause).toBeUndefined();
    expect(inspect(copy, { depth: 10 })).not.toContain("hung-on-the-error");
  });

  it("scrubs the message and ignores a code that is not a string", () => {
    const copy = redactError(Object.assign(new Error("refused client_secret=abc"), { code: 42 }));
    expect(copy.message).toBe(`refused client_secret=${REDACTED}`);
    expect(copy).not.toHaveProperty("code");
    expect(redactError(new Error("abc def"), (text) => text.replace("abc", "x")).message).toBe("x def");
  });

  it("stands in for a throw that is not an Error", () => {
    expect(redactError("socket hang up").message).toBe("unknown error");
  });
});

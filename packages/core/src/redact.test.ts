import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createSecretRegistry,
  createSecretScrubber,
  isSecretName,
  REDACTED,
  redactDeep,
  redactError,
  redactSecrets,
  redactSecretsInBody,
  redactText,
  redactUrl,
  scrubDeep,
  secretForms,
} from "./redact.js";

describe("redactUrl", () => {
  it("keeps origin and path and drops the query string and user info", () => {
    expect(redactUrl("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc")).toBe(
      `https://bucket.s3.amazonaws.com/a.png?${REDACTED}`,
    );
    expect(redactUrl(new URL("https://user:pw@example.com/x"))).toBe("https://example.com/x");
  });

  it("keeps the scheme and host of a URL whose origin is opaque (redis:, rediss:) and drops its user info", () => {
    expect(redactUrl("redis://:s3cret@cache.internal:6379/0")).toBe("redis://cache.internal:6379/0");
    expect(redactUrl("rediss://user:s3cret@cache.internal:6380")).toBe("rediss://cache.internal:6380");
    expect(redactUrl("urn:isbn:0451450523?x=1")).toBe(`urn:isbn:0451450523?${REDACTED}`);
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

  it("drops the query string and user info of every URL in the text, keeping the sentence's punctuation", () => {
    expect(redactText("<input> http://example.com/a.png?X-Amz-Signature=s3cr3t: expected https")).toBe(
      `<input> http://example.com/a.png?${REDACTED}: expected https`,
    );
    expect(redactText("'https://acct.blob.core.windows.net/c/a.png?sv=1&se=2&sig=x' is invalid")).toBe(
      `'https://acct.blob.core.windows.net/c/a.png?${REDACTED}' is invalid`,
    );
    expect(redactText("(see https://user:pw@example.com/x?token=t).")).toBe(
      `(see https://example.com/x?${REDACTED}).`,
    );
    expect(redactText("see https://example.com/docs#retry, then")).toBe(
      "see https://example.com/docs#retry, then",
    );
  });

  it("drops the user info of a URL of any other scheme: redis, rediss, a mistyped one", () => {
    expect(
      redactText("option '--queue <redis-url>' argument 'redi://:s3cret@redis.internal:6379' is invalid."),
    ).toBe(`option '--queue <redis-url>' argument 'redi://${REDACTED}@redis.internal:6379' is invalid.`);
    expect(redactText("cannot reach redis://default:s3cret@10.0.0.5:6379/0 (ECONNREFUSED)")).toBe(
      `cannot reach redis://${REDACTED}@10.0.0.5:6379/0 (ECONNREFUSED)`,
    );
    expect(redactText("rediss://user:pa/ss@w0rd@cache:6380")).toBe(`rediss://${REDACTED}@cache:6380`);
    // Without user info nothing changes.
    expect(redactText("queue redis://127.0.0.1:6379, then")).toBe("queue redis://127.0.0.1:6379, then");
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence of each known value, which no pattern would recognise", () => {
    const body = '{"details":[{"name":"token","reason":"tok-7f3a tok-7f3a"}],"title":"x-key"}';
    expect(redactSecrets(body, ["tok-7f3a", "x-key"])).toBe(
      `{"details":[{"name":"token","reason":"${REDACTED} ${REDACTED}"}],"title":"${REDACTED}"}`,
    );
    expect(redactText(body)).toContain("tok-7f3a");
  });

  it("skips empty and missing values instead of redacting between every character", () => {
    expect(redactSecrets("plain text", ["", undefined])).toBe("plain text");
  });
});

describe("redactSecretsInBody", () => {
  it("keeps JSON intact when a short secret also occurs in its structure", () => {
    const body = '{"status":"succeeded","width":100,"ok":true,"details":[{"reason":"bad token t"}]}';
    // A raw replace of "t" would break the keys, `true` and the JSON itself; of "1" the number.
    for (const secret of ["t", "1", '"', "{", ":", "true"]) {
      const scrubbed = redactSecretsInBody(body, [secret]);
      expect(() => JSON.parse(scrubbed), `secret ${secret}`).not.toThrow();
    }
    expect(JSON.parse(redactSecretsInBody(body, ["1"]))).toEqual(JSON.parse(body));
    expect(JSON.parse(redactSecretsInBody(body, ["t"]))).toEqual({
      [`s${REDACTED}a${REDACTED}us`]: "succeeded",
      [`wid${REDACTED}h`]: 100,
      ok: true,
      [`de${REDACTED}ails`]: [{ reason: `bad ${REDACTED}oken ${REDACTED}` }],
    });
  });

  it("replaces a secret in JSON strings and property names, nested in objects and arrays", () => {
    const body = JSON.stringify({ "tok-7f3a": [{ reason: "tok-7f3a expired", count: 2, none: null }] });
    expect(JSON.parse(redactSecretsInBody(body, ["tok-7f3a", undefined, ""]))).toEqual({
      [REDACTED]: [{ reason: `${REDACTED} expired`, count: 2, none: null }],
    });
  });

  it("finds a secret hidden behind a JSON escape", () => {
    const body = '{"reason":"tok\\u002d7f3a"}'; // "tok-7f3a" with its "-" escaped
    expect(body).not.toContain("tok-7f3a");
    expect(JSON.parse(redactSecretsInBody(body, ["tok-7f3a"]))).toEqual({ reason: REDACTED });
  });

  it("treats text that is not JSON as redactSecrets does", () => {
    expect(redactSecretsInBody("<html>bad token tok-7f3a</html>", ["tok-7f3a"])).toBe(
      `<html>bad token ${REDACTED}</html>`,
    );
  });

  it("returns a body that holds no secret as it is, without writing it again", () => {
    const body = '{ "spaced" : [1, 2] }';
    expect(redactSecretsInBody(body, ["tok-7f3a"])).toBe(body);
    expect(redactSecretsInBody('{"a":"\\u0041"}', [])).toBe('{"a":"\\u0041"}');
  });
});

describe("isSecretName", () => {
  it("matches secret names in any case", () => {
    expect(isSecretName("Authorization")).toBe(true);
    expect(isSecretName("client_secret")).toBe(true);
    expect(isSecretName("Cookie")).toBe(true);
    expect(isSecretName("Set-Cookie")).toBe(true);
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

describe("redactDeep", () => {
  it("redacts every string and every secret-named property, deeply, and leaves the input alone", () => {
    const status = {
      output: { href: "https://b.s3.amazonaws.com/m.png?X-Amz-Signature=abc" },
      outputs: [{ input: "http://127.0.0.1:4010/__emulator/storage/objects/a.png?expires=1&sig=zz", n: 3 }],
      Access_Token: "secret",
      "Set-Cookie": "session=abc; HttpOnly",
      details: "Bearer abc.def",
      status: "succeeded",
      done: true,
      nothing: null,
    };
    const copy = redactDeep(status);
    expect(copy).toEqual({
      output: { href: `https://b.s3.amazonaws.com/m.png?${REDACTED}` },
      outputs: [{ input: `http://127.0.0.1:4010/__emulator/storage/objects/a.png?${REDACTED}`, n: 3 }],
      Access_Token: REDACTED,
      "Set-Cookie": REDACTED,
      details: `Bearer ${REDACTED}`,
      status: "succeeded",
      done: true,
      nothing: null,
    });
    expect(status.Access_Token).toBe("secret");
  });

  it("keeps an error body's code, which isSecretName counts as a secret in a query or a form", () => {
    expect(isSecretName("code")).toBe(true);
    expect(redactDeep({ Code: 404, error: { code: "invalid_client", sig: "x" } })).toEqual({
      Code: 404,
      error: { code: "invalid_client", sig: REDACTED },
    });
  });

  it("cuts nesting deeper than 32 levels", () => {
    let deep: unknown = "leaf";
    for (let level = 0; level < 40; level++) deep = [deep];
    let cut = redactDeep(deep);
    let levels = 0;
    while (Array.isArray(cut)) {
      cut = cut[0];
      levels += 1;
    }
    expect(levels).toBe(32);
    expect(cut).toBe(REDACTED);
  });
});

describe("createSecretScrubber", () => {
  const secret = "fuzz-other-secret/+ é";
  const scrub = createSecretScrubber([secret, undefined, "", "abc"]);
  const basic = Buffer.from(`client-id:${secret}`).toString("base64");

  it.each([
    ["plain in a path", `/v2/status/${secret}`],
    ["URL-encoded in a query", `?note=${encodeURIComponent(secret)}`],
    ["form-encoded", new URLSearchParams({ note: secret }).toString()],
    ["JSON-escaped", JSON.stringify({ note: `say "${secret}"` })],
    ["base64 on its own", Buffer.from(secret).toString("base64")],
    ["base64 inside a Basic header", `Basic ${basic}`],
    ["base64 at the second offset", Buffer.from(`x${secret}`).toString("base64")],
    ["URL-safe base64", Buffer.from(`xy${secret}`).toString("base64url")],
  ])("replaces the secret %s", (_name, text) => {
    const scrubbed = scrub(text);
    expect(scrubbed).toContain(REDACTED);
    for (const form of secretForms(secret)) expect(scrubbed).not.toContain(form);
  });

  it.each([
    [
      "Hono's JSX (&quot; &#39;)",
      (text: string) =>
        text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"),
    ],
    [
      "OWASP's (&#x27; &#x2F;)",
      (text: string) =>
        text
          .replace(/&/g, "&amp;")
          .replace(/</g, "&lt;")
          .replace(/>/g, "&gt;")
          .replace(/"/g, "&quot;")
          .replace(/'/g, "&#x27;")
          .replace(/\//g, "&#x2F;"),
    ],
    [
      "XML's (&apos;)",
      (text: string) =>
        text
          .replace(/&/g, "&amp;")
          .replace(/</g, "&lt;")
          .replace(/>/g, "&gt;")
          .replace(/"/g, "&quot;")
          .replace(/'/g, "&apos;"),
    ],
  ])("replaces a secret HTML-escaped by %s, plain and JSON-escaped", (_name, toHtml) => {
    const html = `<a x-secret-like/&"q'`;
    const scrubHtml = createSecretScrubber([html]);
    for (const text of [toHtml(`<td>${html}</td>`), toHtml(JSON.stringify({ note: html }))]) {
      const scrubbed = scrubHtml(text);
      expect(scrubbed).toContain(REDACTED);
      for (const form of secretForms(html)) expect(scrubbed).not.toContain(form);
    }
  });

  it("leaves other text and short values alone", () => {
    expect(scrub("abc and nothing else")).toBe("abc and nothing else");
    expect(createSecretScrubber([])("text")).toBe("text");
    expect(secretForms("abc")).toEqual([]);
  });

  it("takes a value given twice once", () => {
    expect(createSecretScrubber([secret, secret])(`a ${secret} b`)).toBe(`a ${REDACTED} b`);
  });

  it("cuts a JSON value nested deeper than 32 levels", () => {
    let deep: unknown = "leaf";
    for (let level = 0; level < 40; level++) deep = [deep];
    expect(JSON.stringify(scrubDeep(deep, scrub))).toContain(REDACTED);
  });

  it("scrubs every string of a JSON value, keys included", () => {
    expect(scrubDeep({ [secret]: [secret, 1, true, null] }, scrub)).toEqual({
      [REDACTED]: [REDACTED, 1, true, null],
    });
  });
});

describe("createSecretRegistry", () => {
  it("scrubs the values added so far in every form, skips short or missing ones, and stops hiding a revealed one", () => {
    const secrets = createSecretRegistry(["client-s3cret", undefined, "abc"]);
    expect(secrets.scrub("id client-s3cret, abc")).toBe(`id ${REDACTED}, abc`);
    secrets.add("access-token-123");
    secrets.add("access-token-123");
    secrets.add(undefined);
    expect(
      secrets.scrub(
        `t=${encodeURIComponent("access-token-123")} ${Buffer.from("client-s3cret").toString("base64")}`,
      ),
    ).not.toMatch(/access-token-123|Y2xpZW50LXMzY3JldA/);
    secrets.reveal("access-token-123");
    expect(secrets.scrub("access-token-123")).toBe("access-token-123");
    secrets.reveal("never-added");
    expect(secrets.scrub("client-s3cret")).toBe(REDACTED);
  });
});

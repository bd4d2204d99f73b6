import { describe, expect, it } from "vitest";
import type { CassetteHar } from "./format.js";
import {
  findSecretPatterns,
  findSecrets,
  isSignedUrl,
  redactBody,
  redactHeaders,
  redactionContext,
  redactUrlParams,
  storageExpiry,
} from "./redaction.js";

const S3 =
  "https://bucket.s3.us-east-1.amazonaws.com/out/mask.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=deadbeefcafe0123&X-Amz-Expires=3600";
const AZURE =
  "https://acct.blob.core.windows.net/c/in.psd?sv=2021-08-06&se=2026-01-01T00%3A00%3A00Z&sp=r&sig=AzureSig%2Babc123%3D";
const GOOGLE =
  "https://storage.googleapis.com/b/o.png?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=0a1b2c3d4e5f6789";
const EMULATOR =
  "http://127.0.0.1:4010/__emulator/storage/objects/in%2Fcoffee.png?expires=1767225600&sig=9f8e7d6c5b4a3210";

describe("cassette redaction", () => {
  it("replaces credential headers, API key, org id and cookies, and remembers their live values", () => {
    const context = redactionContext();
    const headers = redactHeaders(
      [
        { name: "Authorization", value: "Bearer live-token-value" },
        { name: "x-api-key", value: "live-client-id" },
        { name: "x-gw-ims-org-id", value: "ABCDEF123@AdobeOrg" },
        { name: "Cookie", value: "session=cookie-value-1" },
        { name: "content-type", value: "application/json" },
      ],
      "request",
      context,
    );
    expect(headers.map((header) => header.value)).toEqual([
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
      "application/json",
    ]);
    expect([...context.seen]).toEqual(
      expect.arrayContaining(["live-token-value", "live-client-id", "ABCDEF123@AdobeOrg", "cookie-value-1"]),
    );
    expect(context.fired).toContain("request.header:authorization");
  });

  it("replaces IMS form credentials and IMS answers' tokens, keeping the rest", () => {
    const context = redactionContext();
    const form = redactBody(
      "grant_type=client_credentials&client_id=live-client-id&client_secret=live-secret-1&scope=openid",
      "application/x-www-form-urlencoded",
      "request.body",
      context,
    );
    expect(new URLSearchParams(form).get("grant_type")).toBe("client_credentials");
    expect(new URLSearchParams(form).get("scope")).toBe("openid");
    expect(new URLSearchParams(form).get("client_secret")).toBe("[REDACTED]");
    expect(new URLSearchParams(form).get("client_id")).toBe("[REDACTED]");
    const answer = JSON.parse(
      redactBody(
        JSON.stringify({ access_token: "live-access-1", refresh_token: "live-refresh-1", expires_in: 86399 }),
        "application/json",
        "response.body",
        context,
      ),
    );
    expect(answer).toEqual({ access_token: "[REDACTED]", refresh_token: "[REDACTED]", expires_in: 86399 });
    expect([...context.seen]).toEqual(
      expect.arrayContaining(["live-secret-1", "live-access-1", "live-refresh-1"]),
    );
  });

  it("turns S3, Azure, Google and emulator signed URLs in bodies into {{storage:n}} placeholders with the path kept; job ids stay", () => {
    const context = redactionContext();
    const body = JSON.parse(
      redactBody(
        JSON.stringify({ jobId: "job-123", outputs: [S3, AZURE, GOOGLE, EMULATOR, `${S3}&other=1`] }),
        "application/json",
        "response.body",
        context,
      ),
    );
    expect(body).toEqual({
      jobId: "job-123",
      outputs: [
        "{{storage:1}}/out/mask.png",
        "{{storage:2}}/c/in.psd",
        "{{storage:3}}/b/o.png",
        "{{storage:4}}/__emulator/storage/objects/in%2Fcoffee.png",
        "{{storage:1}}/out/mask.png",
      ],
    });
    expect([...context.storage.keys()]).toEqual([
      "https://bucket.s3.us-east-1.amazonaws.com",
      "https://acct.blob.core.windows.net",
      "https://storage.googleapis.com",
      "http://127.0.0.1:4010",
    ]);
    expect([...context.seen]).toEqual(
      expect.arrayContaining([
        "deadbeefcafe0123",
        "AzureSig+abc123=",
        "0a1b2c3d4e5f6789",
        "9f8e7d6c5b4a3210",
      ]),
    );
  });

  it("redacts signature parameters of a request URL, keeping the others and the path", () => {
    const url = new URL(redactUrlParams(S3, "request.url", redactionContext()));
    expect(url.pathname).toBe("/out/mask.png");
    expect(url.searchParams.get("X-Amz-Signature")).toBe("[REDACTED]");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("[REDACTED]");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(isSignedUrl(EMULATOR)).toBe(true);
    expect(isSignedUrl("https://image.adobe.io/v2/status/job-123")).toBe(false);
  });

  it("finds a live secret in any encoding anywhere in a HAR or a blob, and nothing in a clean one", () => {
    const secret = "live-secret/+=value";
    const har = (text: string) =>
      ({ log: { entries: [{ response: { content: { text } } }] } }) as unknown as CassetteHar;
    const none = new Map<string, Uint8Array>();
    expect(findSecrets(har("nothing here"), none, [secret])).toEqual([]);
    expect(findSecrets(har(`x ${encodeURIComponent(secret)} y`), none, [secret])).toEqual([
      "/log/entries/0/response/content/text",
    ]);
    expect(findSecrets(har(btoa(`ab${secret}`)), none, [secret])).toHaveLength(1);
    const blob = new Map([["f".repeat(64), new TextEncoder().encode(`\u0000PNG${JSON.stringify(secret)}`)]]);
    expect(findSecrets(har("clean"), blob, [secret])).toEqual([`blob:${"f".repeat(64)}`]);
  });

  it("finds what looks like a credential in a cassette whose live values are unknown, and passes redacted ones", () => {
    const har = (text: string) =>
      ({ log: { entries: [{ response: { content: { text } } }] } }) as unknown as CassetteHar;
    const none = new Map<string, Uint8Array>();
    const clean = [
      '{"access_token":"[REDACTED]","expires_in":86399}',
      "http://127.0.0.1:4010/__emulator/storage/objects/a.png?expires=1&sig=%5BREDACTED%5D",
      "grant_type=client_credentials&client_id=%5BREDACTED%5D&client_secret=%5BREDACTED%5D",
      "Bearer [REDACTED]",
      '{"jobId":"urn:ff:jobs:psapi:0a1b","outputs":[{"url":"{{storage:1}}/out/mask.png"}]}',
    ];
    for (const text of clean) expect(findSecretPatterns(har(text), none), text).toEqual([]);
    const leaks: [string, string][] = [
      ['{"access_token":"abc123def456"}', "token or secret field"],
      ["Bearer abcdefgh12345678", "bearer token"],
      ["https://b.s3.amazonaws.com/x.png?X-Amz-Signature=0123456789abcdef", "signature parameter"],
      ["https%3A%2F%2Fa.blob.core.windows.net%2Fc%2Fx%3Fsv%3D1%26sig%3DAbC%252B", "signature parameter"],
      ["client_id=live-client&scope=openid", "form credential"],
      [`token ${"eyJhbGciOiJIUzI1NiJ9"}.${"eyJzdWIiOiJhYmMifQ"}.sig`, "jwt"],
      [btoa('{"refresh_token":"r-123456789"}'), "token or secret field"],
    ];
    for (const [text, kind] of leaks)
      expect(findSecretPatterns(har(text), none), text).toEqual([
        `/log/entries/0/response/content/text: ${kind}`,
      ]);
    const blob = new Map([
      ["e".repeat(64), new TextEncoder().encode("\u0000-----BEGIN RSA PRIVATE KEY-----")],
    ]);
    expect(findSecretPatterns(har("clean"), blob)).toEqual([`blob:${"e".repeat(64)}: private key`]);
  });
});

describe("storageExpiry", () => {
  const at = (text: string) => storageExpiry(new URL(text));
  const expiry = Date.UTC(2026, 10, 23, 18, 1, 0);
  it("reads when a pre-signed URL expires from its query, never its signature", () => {
    expect(
      at("https://b.s3.amazonaws.com/a?X-Amz-Date=20261123T180000Z&X-Amz-Expires=60&X-Amz-Signature=x"),
    ).toBe(expiry);
    expect(
      at(
        "https://storage.googleapis.com/b/a?X-Goog-Date=20261123T180000Z&X-Goog-Expires=60&X-Goog-Signature=x",
      ),
    ).toBe(expiry);
    expect(
      at("https://a.blob.core.windows.net/c/a?sv=2022-11-02&se=2026-11-23T18%3A01%3A00Z&sp=r&sig=x"),
    ).toBe(expiry);
    expect(at(`https://b.s3.amazonaws.com/a?AWSAccessKeyId=A&Expires=${expiry / 1000}&Signature=x`)).toBe(
      expiry,
    );
    expect(at(`http://127.0.0.1:4010/__emulator/storage/objects/a?expires=${expiry / 1000}&sig=x`)).toBe(
      expiry,
    );
  });
  it("is undefined when the URL does not say, or says it in another shape", () => {
    expect(at("https://b.s3.amazonaws.com/a?X-Amz-Signature=x")).toBeUndefined();
    expect(at("https://b.s3.amazonaws.com/a?X-Amz-Date=yesterday&X-Amz-Expires=60")).toBeUndefined();
    expect(at("https://a.blob.core.windows.net/c/a?se=soon&sig=x")).toBeUndefined();
    expect(at("http://h/a?expires=-1&sig=x")).toBeUndefined();
  });
});

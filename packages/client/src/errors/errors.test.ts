import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { JobFailedError } from "./job-failed-error.js";
import { JobTimeoutError } from "./job-timeout-error.js";
import { PhotoshopApiError } from "./photoshop-api-error.js";

const request = { method: "post", url: "https://image.adobe.io/sensei/mask?access_token=leak" };

describe("PhotoshopApiError", () => {
  it("reads the service family {type, code, title, details}", () => {
    const error = PhotoshopApiError.fromResponse(
      404,
      {
        type: "ResourceNotFound",
        code: 404,
        title: "Requested resource was not found",
        details: { name: "x" },
      },
      request,
    );
    expect(error).toMatchObject({
      name: "PhotoshopApiError",
      status: 404,
      type: "ResourceNotFound",
      code: "404",
      title: "Requested resource was not found",
      details: { name: "x" },
      retryable: false,
      request: { method: "POST", url: "https://image.adobe.io/sensei/mask?[REDACTED]" },
    });
    expect(error.message).toBe(
      "[@psapi/client] POST https://image.adobe.io/sensei/mask?[REDACTED] failed with 404 ResourceNotFound: Requested resource was not found",
    );
  });

  it("reads the gateway family {error_code, message}", () => {
    const error = PhotoshopApiError.fromResponse(
      429,
      { error_code: "429001", message: "Too many requests" },
      request,
      2000,
    );
    expect(error).toMatchObject({ status: 429, errorCode: "429001", retryable: true, retryAfterMs: 2000 });
    expect(error.message).toContain("failed with 429 429001: Too many requests");
    // Adobe's words are a field of their own: no caller needs to parse the message.
    expect(error.adobeMessage).toBe("Too many requests");
  });

  it("keeps the validator's reason list and summarises its first message", () => {
    const reason = [
      {
        keyword: "enum",
        instancePath: "/output/mask/format",
        schemaPath: "#/x",
        params: {},
        message: "must be equal to one of the allowed values",
      },
    ];
    const error = PhotoshopApiError.fromResponse(
      400,
      { type: "InputValidationError", code: 400, reason },
      request,
    );
    expect(error.reason).toEqual(reason);
    expect(error.message).toContain(
      "400 InputValidationError: /output/mask/format must be equal to one of the allowed values",
    );
    expect(error.adobeMessage).toBe("/output/mask/format must be equal to one of the allowed values");
  });

  it("keeps the start of a non-JSON body, redacted", () => {
    const error = PhotoshopApiError.fromResponse(502, "<html>Bad Gateway Bearer abc.def</html>", request);
    expect(error.message).toContain("Bad Gateway Bearer [REDACTED]");
    expect(error.adobeMessage).toBe("<html>Bad Gateway Bearer [REDACTED]</html>");
    expect(error.retryable).toBe(true);
  });

  it("never exposes a token or a signed query string (message, toJSON, inspect)", () => {
    const error = PhotoshopApiError.fromResponse(
      410,
      {
        type: "FileLinkInvalidError",
        code: "410",
        title: "Unable to download https://bucket.example/in.jpg?X-Amz-Signature=s3cr3t",
        details: [
          { name: "https://bucket.example/in.jpg?sig=s3cr3t&se=2030", reason: "expired access_token=s3cr3t" },
        ],
      },
      request,
    );
    for (const text of [error.message, JSON.stringify(error), inspect(error)]) {
      expect(text).not.toContain("s3cr3t");
      expect(text).not.toContain("leak");
    }
    expect(error.details).toEqual([
      { name: "https://bucket.example/in.jpg?[REDACTED]", reason: "expired access_token=[REDACTED]" },
    ]);
  });

  it("ignores fields of the wrong type in an untrusted body", () => {
    const error = PhotoshopApiError.fromResponse(
      500,
      { type: 5, title: { nested: true }, reason: "x" },
      request,
    );
    expect(error).toMatchObject({ type: "5", title: undefined, reason: undefined, status: 500 });
  });

  it("keeps the original failure as cause", () => {
    const cause = new TypeError("fetch failed");
    const error = new PhotoshopApiError("network", { status: 0, request, retryable: true, cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });
});

describe("JobFailedError and JobTimeoutError", () => {
  const body = {
    jobId: "j1",
    status: "failed" as const,
    output: { href: "https://bucket.example/out.png?sig=s3cr3t", storage: "external" as const },
    _links: { self: { href: "https://image.adobe.io/sensei/status/j1" } },
  };

  it("keeps the final body off toJSON and inspect", () => {
    const error = new JobFailedError("j1", "https://image.adobe.io/sensei/status/j1", [], body);
    expect(error.result).toBe(body);
    expect(inspect(error)).not.toContain("s3cr3t");
    expect(JSON.stringify(error)).not.toContain("s3cr3t");
    expect(error.message).toBe("[@psapi/client] job j1 failed (no error details)");
    expect(error.summary).toBeUndefined();
  });

  it("keeps the first reason as its summary, redacted, in each of Adobe's shapes", () => {
    const url = "https://image.adobe.io/v1/status/j1";
    const sensei = new JobFailedError(
      "j1",
      url,
      [{ type: "FileLinkInvalidError", title: "bad https://b.example/x?sig=s3cr3t" }],
      body,
    );
    const masking = new JobFailedError(
      "j1",
      url,
      [{ error_code: "processing_error", message: "no subject" }],
      body,
    );
    expect(sensei.summary).toBe("FileLinkInvalidError: bad https://b.example/x?[REDACTED]");
    expect(masking.summary).toBe("processing_error: no subject");
    expect(masking.message).toBe("[@psapi/client] job j1 failed (processing_error: no subject)");
  });

  it("describes a timeout with its job id and limit", () => {
    const cause = new Error("last poll failed");
    const error = new JobTimeoutError(
      "j1",
      "https://image.adobe.io/sensei/status/j1?sig=x",
      5000,
      body,
      cause,
    );
    expect(error).toMatchObject({
      name: "JobTimeoutError",
      jobId: "j1",
      timeoutMs: 5000,
      statusUrl: "https://image.adobe.io/sensei/status/j1?[REDACTED]",
    });
    expect(error.cause).toBe(cause);
    expect(error.lastStatus).toBe(body);
    expect(inspect(error)).not.toContain("s3cr3t");
  });
});

import { describe, expect, it } from "vitest";
import { errorCodeFor, errorCodes } from "./error-codes.js";
import { SPEC_NAMES } from "./specs.js";

describe("errorCodes", () => {
  it("lists every documented error code once per spec, with its statuses, operations and page", () => {
    const entries = errorCodes();
    const ids = entries.map((entry) => `${entry.spec} ${entry.code}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(entries.map((entry) => entry.spec))).toEqual(new Set(SPEC_NAMES));
    expect(entries.find((entry) => entry.page === "photoshop-current-unknown_job_id")).toMatchObject({
      spec: "photoshop-current.yaml",
      code: "unknown_job_id",
      statuses: [404],
    });
    const invalidClient = entries.find(
      (entry) => entry.spec === "ims.yaml" && entry.code === "invalid_client",
    );
    expect(invalidClient?.operations).toContain("POST /ims/token/v3");
    for (const entry of entries) expect(entry.page).toMatch(/^[\w.-]+$/);
  });
});

describe("errorCodeFor", () => {
  it("picks the spec that documents the code for that method and path, on any host", () => {
    const current = { method: "post", url: "https://image.adobe.io/v2/remove-background" };
    expect(errorCodeFor("401013", current)?.page).toBe("photoshop-current-401013");
    const retired = { method: "POST", url: "http://127.0.0.1:4010/sensei/mask" };
    expect(errorCodeFor("401013", retired)?.page).toBe("photoshop-401013");
    const status = { method: "GET", url: "https://photoshop-api.adobe.io/v2/status/urn:ff:jobs:1" };
    expect(errorCodeFor("unknown_job_id", status)?.page).toBe("photoshop-current-unknown_job_id");
  });

  it("finds nothing for a code, method or path the specs do not pair", () => {
    const url = "https://image.adobe.io/v2/remove-background";
    expect(errorCodeFor("no_such_code", { method: "POST", url })).toBeUndefined();
    expect(errorCodeFor("401013", { method: "PATCH", url })).toBeUndefined();
    expect(
      errorCodeFor("unknown_job_id", { method: "GET", url: "https://image.adobe.io/v2/status/" }),
    ).toBeUndefined();
    expect(errorCodeFor("401013", { method: "POST", url: "not a url" })).toBeUndefined();
  });
});

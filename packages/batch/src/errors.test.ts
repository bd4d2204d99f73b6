import { describe, expect, it } from "vitest";
import { BatchError } from "./errors.js";
import { fillTemplate } from "./template.js";

const SIGNED = "https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=0123456789abcdef&X-Amz-Credential=AKIA";

describe("BatchError", () => {
  it("redacts signed query strings in its problem, message and input: they go to journals and terminals", () => {
    const error = new BatchError("invalid-template", `row 2: "${SIGNED}" is not a number`, { input: SIGNED });
    for (const text of [error.problem, error.message, error.input ?? ""]) {
      expect(text).not.toContain("0123456789abcdef");
      expect(text).not.toContain("AKIA");
    }
    expect(error.problem).toContain("is not a number");
  });

  it("keeps a signed URL a template row quotes out of the problem fillTemplate throws", () => {
    const row = { key: "r1", row: 2, values: { x: SIGNED } };
    let thrown: unknown;
    try {
      fillTemplate({ offset: "{{x|number}}" }, row);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BatchError);
    expect((thrown as BatchError).problem).toMatch(/is not a number/);
    expect((thrown as BatchError).problem).not.toContain("0123456789abcdef");
  });
});

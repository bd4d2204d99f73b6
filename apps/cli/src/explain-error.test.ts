import { describe, expect, it } from "vitest";
import { ExitCode } from "./exit-codes.js";
import { explainError } from "./explain-error.js";

const context = { signal: new AbortController().signal, target: undefined };

function fileSystemError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

describe("explainError", () => {
  it("names the path and the system's code of a file system failure, a usage error for a bad path", () => {
    const failure = explainError(fileSystemError("EACCES", "open", "/ro/mask.png"), context);
    expect(failure.message).toBe("cannot open /ro/mask.png (EACCES)");
    expect(failure.exitCode).toBe(ExitCode.usage);
    expect(failure.hint).toMatch(/permissions/);
  });

  it("treats a full disk as a failure of the run, not of the command line", () => {
    const failure = explainError(fileSystemError("ENOSPC", "write", "/data/mask.png"), context);
    expect(failure.exitCode).toBe(ExitCode.apiFailure);
  });

  it("calls anything else unexpected and points at PSAPI_DEBUG", () => {
    const failure = explainError(new RangeError("boom"), context);
    expect(failure.message).toBe("unexpected failure: boom");
    expect(failure.hint).toMatch(/PSAPI_DEBUG=1/);
  });
});

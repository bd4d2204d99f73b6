import { createEmulatorControl } from "@psapi/mock-server/control";
import { describe, expect, it } from "vitest";
import { serveEmulator } from "./serve-emulator.js";

describe("serveEmulator", () => {
  it("serves with the emulator server's keep-alive (65 s, as Node's Keep-Alive header says), not Node's 5 s", async () => {
    const emulator = await serveEmulator();
    try {
      const { response } = await createEmulatorControl({ baseUrl: emulator.url }).api.GET(
        "/__emulator/clock",
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("keep-alive")).toBe("timeout=65");
      expect(emulator.requests).toEqual(["GET /__emulator/clock"]);
    } finally {
      await emulator.close();
    }
  });

  it("with checkSpec, checks every answer against the spec, and close() rejects when one breaks it", async () => {
    const emulator = await serveEmulator({}, { checkSpec: true });
    const clock = await fetch(`${emulator.url}/__emulator/clock`);
    expect(clock.status).toBe(200);
    expect(await emulator.problems()).toEqual({ report: "", checked: 1 });
    // No spec declares this path: whatever the emulator answers, the spec does not allow it.
    const { status } = await fetch(`${emulator.url}/v2/no-such-operation`);
    const { report, checked } = await emulator.problems();
    expect(checked).toBe(2);
    expect(report).toBe(
      `GET /v2/no-such-operation → ${status} (no operation): no operation in the spec declares this method and path`,
    );
    await expect(emulator.close()).rejects.toThrow(/break openapi\/\*\.yaml:\nGET \/v2\/no-such-operation/);
  });
});

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
});

import { redactDeep } from "@psapi/core";
import { describe, expect, it } from "vitest";
import { redactToken } from "./commands/token.js";
import { displayPath, formatBytes, formatDuration, pngSize } from "./display.js";
import { laterStatusCommand, type Target } from "./target.js";

describe("pngSize", () => {
  it("reads width and height from the IHDR chunk", () => {
    const header = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0xc3, 0,
      0, 1, 0x2c,
    ]);
    expect(pngSize(header)).toEqual({ width: 451, height: 300 });
  });

  it("answers undefined for bytes that are not a PNG", () => {
    expect(pngSize(new TextEncoder().encode("GIF89a, not a PNG at all"))).toBeUndefined();
    expect(pngSize(new Uint8Array(8))).toBeUndefined();
  });
});

describe("formatting", () => {
  it("formats sizes and durations for people", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(14_540)).toBe("14.2 KB");
    expect(formatBytes(3_250_000)).toBe("3.1 MB");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12.4 s");
    expect(formatDuration(86_399_000)).toBe("23 h 59 min");
    expect(formatDuration(-5)).toBe("0 ms");
  });

  it("shows paths inside the current directory relative to it, others absolute", () => {
    expect(displayPath("/home/me/out/a.png", "/home/me")).toBe("out/a.png");
    expect(displayPath("/tmp/a.png", "/home/me")).toBe("/tmp/a.png");
  });
});

describe("secrets in output", () => {
  it("redactToken keeps only the first and last four characters", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.payload.signature-part";
    expect(redactToken(token)).toBe(`eyJh…part (${token.length} characters)`);
    expect(redactToken("short-token")).toBe("… (11 characters)");
  });

  it("redactDeep, as status and manifest print bodies, drops the query strings of URLs and secret-named fields, deeply", () => {
    const status = {
      output: { href: "https://b.s3.amazonaws.com/m.png?X-Amz-Signature=abc" },
      outputs: [{ input: "http://127.0.0.1:4010/__emulator/storage/objects/a.png?expires=1&sig=zz" }],
      access_token: "secret",
      status: "succeeded",
    };
    expect(redactDeep(status)).toEqual({
      output: { href: "https://b.s3.amazonaws.com/m.png?[REDACTED]" },
      outputs: [{ input: "http://127.0.0.1:4010/__emulator/storage/objects/a.png?[REDACTED]" }],
      access_token: "[REDACTED]",
      status: "succeeded",
    });
  });
});

describe("laterStatusCommand", () => {
  const url = "https://image.adobe.io/sensei/status/j1";
  const target = (kind: Target["kind"], baseUrl: string) => ({ kind, baseUrl: new URL(baseUrl) }) as Target;

  it("adds --base-url off Adobe, since psapi status sends the token only to the target", () => {
    expect(laterStatusCommand(url, target("adobe", "https://image.adobe.io"))).toBe(`psapi status ${url}`);
    expect(
      laterStatusCommand(
        "http://127.0.0.1:4099/sensei/status/j1",
        target("remote", "http://127.0.0.1:4099/"),
      ),
    ).toBe("psapi status http://127.0.0.1:4099/sensei/status/j1 --base-url http://127.0.0.1:4099");
  });

  it("has no command for the embedded emulator, whose jobs end with psapi", () => {
    expect(laterStatusCommand(url, target("embedded", "http://127.0.0.1:4010"))).toBeUndefined();
  });
});

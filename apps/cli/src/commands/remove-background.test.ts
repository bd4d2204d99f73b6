import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseColor, resultExtension } from "./remove-background.js";

describe("remove-background options", () => {
  it("parses --background as #rrggbb, #rrggbbaa or r,g,b[,a]", () => {
    expect(parseColor("#ff8000")).toEqual({ red: 255, green: 128, blue: 0, alpha: 1 });
    expect(parseColor("#00000080")).toEqual({ red: 0, green: 0, blue: 0, alpha: 0.502 });
    expect(parseColor("10, 20, 30")).toEqual({ red: 10, green: 20, blue: 30, alpha: 1 });
    expect(parseColor("10,20,30,0.25")).toEqual({ red: 10, green: 20, blue: 30, alpha: 0.25 });
  });

  it("refuses a colour Adobe would refuse", () => {
    for (const bad of ["#fff", "red", "256,0,0", "1,2", "1,2,3,4,5", "1,2,3,1.5", "-1,0,0", "1,,3"]) {
      expect(() => parseColor(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it("names the result by what the API will write: psd for psd mode, else the output type, else the input's", () => {
    const file = (path: string) => ({ kind: "file", path }) as const;
    expect(resultExtension("psd", undefined, file("/a/cat.jpg"))).toBe("psd");
    expect(resultExtension("cutout", "jpeg", file("/a/cat.png"))).toBe("jpg");
    expect(resultExtension("mask", undefined, file("/a/cat.webp"))).toBe("webp");
    expect(resultExtension("mask", undefined, file("/a/cat.tiff"))).toBe("png");
    expect(
      resultExtension("cutout", undefined, {
        kind: "url",
        url: new URL("https://b.example/x/cat.JPG?sig=1"),
      }),
    ).toBe("jpg");
  });
});

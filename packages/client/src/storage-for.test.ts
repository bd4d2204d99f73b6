import { describe, expect, it } from "vitest";
import { storageFor } from "./storage-for.js";

describe("storageFor", () => {
  it("names Azure and Dropbox URLs as Adobe expects, anything else external", () => {
    expect(storageFor(new URL("https://acct.blob.core.windows.net/c/a.png?sig=x"))).toBe("azure");
    expect(storageFor("https://dl.dropboxusercontent.com/a.png")).toBe("dropbox");
    expect(storageFor("https://www.dropbox.com/s/a.png")).toBe("dropbox");
    expect(storageFor(new URL("https://bucket.s3.amazonaws.com/a.png"))).toBe("external");
    expect(storageFor("http://127.0.0.1:4010/__emulator/storage/a.png?sig=x")).toBe("external");
  });

  it("throws a TypeError for a string that is not an absolute URL", () => {
    expect(() => storageFor("not a url")).toThrow(TypeError);
  });
});

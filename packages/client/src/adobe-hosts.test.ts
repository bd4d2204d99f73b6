import { describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, DEFAULT_PHOTOSHOP_API_URL, isAdobeHost } from "./adobe-hosts.js";

describe("isAdobeHost", () => {
  it("accepts adobe.io and its subdomains, Adobe's own origins included", () => {
    for (const url of [
      DEFAULT_BASE_URL,
      DEFAULT_PHOTOSHOP_API_URL,
      "https://adobe.io/x",
      "https://a.b.adobe.io",
    ]) {
      expect(isAdobeHost(url)).toBe(true);
    }
    expect(isAdobeHost(new URL("https://image.adobe.io/sensei/status/j"))).toBe(true);
  });

  it("refuses look-alikes and every other host", () => {
    for (const url of [
      "http://127.0.0.1:4010",
      "https://notadobe.io",
      "https://image.adobe.io.example.com",
      "https://adobe.com",
    ]) {
      expect(isAdobeHost(url)).toBe(false);
    }
  });
});

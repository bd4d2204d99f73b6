import { describe, expect, it } from "vitest";
import { createAddressGuard } from "./net-guard.js";

describe("createAddressGuard", () => {
  const guard = createAddressGuard(async (hostname) => {
    const table: Record<string, string[]> = {
      "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
      "meta.example.com": ["169.254.169.254"],
      "v6.example.com": ["::1"],
      "mapped.example.com": ["::ffff:127.0.0.1"],
      "ok.example.com": ["93.184.216.34", "10.0.0.5"],
    };
    const found = table[hostname];
    if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return found.map((address) => ({ address }));
  });

  it.each(["rebind.example.com", "meta.example.com", "v6.example.com", "mapped.example.com"])(
    "refuses %s, which resolves to a loopback or link-local address",
    async (host) => {
      expect(await guard(new URL(`https://${host}/a.png`), false)).toMatch(/local address/);
    },
  );

  it("passes names resolving to public or private addresses, and refuses unresolvable ones", async () => {
    expect(await guard(new URL("https://ok.example.com/a.png"), false)).toBeUndefined();
    expect(await guard(new URL("https://nowhere.example.com/a.png"), false)).toMatch(/could not be resolved/);
  });

  it("refuses local IP literals unless the allow-list names them exactly", async () => {
    expect(await guard(new URL("https://169.254.169.254/latest"), false)).toMatch(/local address/);
    expect(await guard(new URL("https://[::1]:9000/a"), false)).toMatch(/local address/);
    expect(await guard(new URL("https://127.0.0.1:9000/a"), true)).toBeUndefined();
  });
});

import { existsSync } from "node:fs";
import { loadSpec } from "@psapi/openapi";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../server.js";

/*
 * `/__emulator/docs` in Chromium (as the inspector's browser tests): the Redoc page of the current
 * contract shows every operation of photoshop-current.yaml, under its CSP (a violation is a console
 * error), loading nothing from another origin; the inspector's navigation links to it.
 */

const CHROMIUM = [process.env.PSAPI_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => !!path && existsSync(path),
);

const WAIT = { timeout: 60_000 };

/** The operationIds of one OpenAPI file, which Redoc puts in its sections' ids. */
function operationIds(spec: "photoshop-current.yaml" | "emulator.yaml"): string[] {
  const document = loadSpec(spec).document as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  return Object.values(document.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => ["get", "put", "post", "delete", "patch"].includes(method))
      .map(([method, operation]) => operation.operationId ?? `(${method} without operationId)`),
  );
}

describe.skipIf(!CHROMIUM)("the emulator's HTTP reference in Chromium", { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each([
    ["/__emulator/docs", "photoshop-current.yaml"],
    ["/__emulator/docs/control", "emulator.yaml"],
  ] as const)(
    "%s shows every operation of %s, with no console error and nothing from elsewhere",
    async (path, spec) => {
      const context = await browser.newContext();
      const problems: string[] = [];
      await context.route(
        (url) => url.origin !== new URL(server.url).origin,
        async (route) => {
          problems.push(`foreign request: ${route.request().url()}`);
          await route.abort();
        },
      );
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
      const response = await page.goto(new URL(path, server.url).href, WAIT);
      expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
      await page.waitForSelector('[data-section-id*="operation/"]', WAIT);
      const sections = await page.$$eval("[data-section-id]", (elements) =>
        elements.map((element) => element.getAttribute("data-section-id") ?? ""),
      );
      const shown = new Set(sections.map((id) => /(?:^|\/)operation\/(.+)$/.exec(id)?.[1]));
      const expected = operationIds(spec);
      expect(expected.length).toBeGreaterThan(3);
      for (const id of expected) expect(shown, id).toContain(id);
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it("is linked from the inspector's navigation", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("/__emulator/ui/requests", server.url).href, WAIT);
    await page.getByRole("link", { name: "HTTP reference" }).click(WAIT);
    await page.waitForURL(/\/__emulator\/docs$/, WAIT);
    await page.waitForSelector('[data-section-id*="operation/removeBackgroundV2"]', WAIT);
    await page.close();
  });

  it("answers an unknown reference or asset with a 404, not a file of the package", async () => {
    for (const path of [
      "/__emulator/docs/nope",
      "/__emulator/docs/current",
      "/__emulator/docs/assets/..%2Fpackage.json",
      "/__emulator/docs/assets/inspector.js",
      "/__emulator/docs/specs/photoshop.yaml",
    ]) {
      const response = await fetch(new URL(path, server.url));
      expect(response.status, path).toBe(404);
    }
  });
});

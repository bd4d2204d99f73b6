import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { loadSpec } from "@psapi/openapi";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPackages } from "../../scripts/check-packages.mjs";
import { SITE, serveSite } from "../scripts/serve.mjs";

/*
 * The built site (docs/dist/, written by `pnpm run docs`, which turbo runs before this test) in a
 * real Chromium, driven by playwright-core as the emulator's inspector tests are: every page loads
 * with no console error, no failed request and nothing asked of another origin; every internal
 * link of every page names a file of the site; the search finds `removeBackground`; each Redoc
 * page shows every operation of its OpenAPI file. Every wait is on a condition.
 */

const CHROMIUM = [process.env.PSAPI_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => !!path && existsSync(path),
);
if (!CHROMIUM) {
  console.warn(
    "docs browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium, or set PSAPI_CHROMIUM)",
  );
}

const WAIT = { timeout: 60_000 };

/** Every file of the built site, as site paths ("guide/getting-started.html"). */
function siteFiles(dir = SITE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? siteFiles(path) : [relative(SITE, path).split(sep).join("/")];
  });
}

/** The operations of an OpenAPI file, as Redoc names their sections. */
function operationIds(name: "photoshop-current" | "photoshop" | "ims" | "emulator"): string[] {
  const document = loadSpec(`${name}.yaml`).document as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  return Object.values(document.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => ["get", "put", "post", "delete", "patch", "head", "options"].includes(method))
      .map(([, operation]) => operation.operationId ?? "(no operationId)"),
  );
}

describe("the site's files", () => {
  const files = existsSync(SITE) ? siteFiles() : [];
  const pages = files.filter((file) => file.endsWith(".html"));

  it("hold the guides, the API of every public package, the CLI, the errors and four HTTP references", () => {
    expect(pages).toEqual(
      expect.arrayContaining(["index.html", "guide/getting-started.html", "cli/index.html"]),
    );
    // Every public package of the workspace (typedoc-entries.test.ts holds typedoc.json to the same list).
    const names = publicPackages().map(({ manifest }: { manifest: { name: string } }) => manifest.name);
    expect(names.length).toBeGreaterThan(0);
    for (const pkg of names.map((name: string) => name.replace(/^@psapi\//, ""))) {
      expect(
        pages.some((page) => page.startsWith(`api/@psapi/${pkg}/`) || page === `api/@psapi/${pkg}.html`),
      ).toBe(true);
    }
    for (const spec of ["photoshop-current", "photoshop", "ims", "emulator"]) {
      expect(pages).toContain(`http/${spec}.html`);
    }
    for (const code of [1, 2, 3, 4, 130]) expect(pages).toContain(`errors/exit-${code}.html`);
  });

  it("link only to files of the site (no broken internal link)", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const html = readFileSync(join(SITE, page), "utf8");
      for (const [, href] of html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)) {
        if (href === undefined || /^(?:[a-z]+:|\/\/|#)/i.test(href)) continue;
        const target = new URL(href.replace(/&amp;/g, "&"), `http://site/${page}`).pathname;
        const file = decodeURIComponent(target).slice(1);
        const found =
          files.includes(file) || files.includes(`${file}index.html`) || files.includes(`${file}.html`);
        if (!found) broken.push(`${page} → ${href}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe.skipIf(!CHROMIUM)("the site in Chromium", { timeout: 300_000 }, () => {
  let site: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  /** Requests for anything but the site's own origin, which the context refuses. */
  const foreign: string[] = [];

  beforeAll(async () => {
    site = await serveSite();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    context = await browser.newContext();
    await context.route(
      (url) => url.origin !== new URL(site.url).origin,
      async (route) => {
        foreign.push(route.request().url());
        await route.abort();
      },
    );
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A tab that records what went wrong on it, under the path it was last sent to. */
  async function tab() {
    const page = await context.newPage();
    const problems: string[] = [];
    let at = "";
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${at}: console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`${at}: page error: ${error.message}`));
    page.on("requestfailed", (request) =>
      problems.push(`${at}: failed: ${request.url()} (${request.failure()?.errorText})`),
    );
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${at}: ${response.status()}: ${response.url()}`);
    });
    return {
      page,
      problems,
      async open(path: string) {
        at = path;
        await page.goto(new URL(path, site.url).href, { waitUntil: "load", ...WAIT });
      },
    };
  }

  /** Opens a page in a tab of its own, runs `check` on it, and returns what went wrong. */
  async function visit(path: string, check: (page: Page) => Promise<void>) {
    const { page, problems, open } = await tab();
    await open(path);
    await check(page);
    await page.close();
    return problems;
  }

  it("loads every page with no console error, no failed request and nothing from the network", async () => {
    const pages = siteFiles().filter((file) => file.endsWith(".html") && !file.startsWith("http/"));
    pages.splice(pages.indexOf("404.html"), 1);
    // A fresh tab per page (leaving a VitePress page for the next one would abort its prefetches
    // of linked pages), two at a time: quick enough, and light on a loaded machine.
    const problems: string[] = [];
    for (let i = 0; i < pages.length; i += 2) {
      const found = await Promise.all(
        pages.slice(i, i + 2).map((path) =>
          visit(path, async (page) => {
            // VitePress hydrates the server-rendered page; its app root then holds the layout.
            await page.waitForSelector("#app .Layout", WAIT);
          }),
        ),
      );
      problems.push(...found.flat());
    }
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    expect(pages.length).toBeGreaterThan(20);
  });

  it("finds removeBackground with the site's search", async () => {
    const problems = await visit("index.html", async (page) => {
      await page.click(".VPNavBarSearch button", WAIT);
      await page.fill("#localsearch-input", "removeBackground", WAIT);
      const first = page.locator(".VPLocalSearchBox .result").first();
      await first.waitFor(WAIT);
      const titles = await page.locator(".VPLocalSearchBox .result").allTextContents();
      expect(titles.some((title) => title.includes("removeBackground"))).toBe(true);
    });
    expect(problems).toEqual([]);
  });

  it("opens the HTTP reference from a guide's link (a plain page, not a route of the site's app)", async () => {
    const problems = await visit("guide/getting-started.html", async (page) => {
      await page.locator('main a[href="/http/photoshop-current.html"]').first().click(WAIT);
      await page.waitForSelector('[data-section-id*="operation/removeBackgroundV2"]', WAIT);
    });
    // Leaving a VitePress page aborts its prefetches of linked pages: not a failure of either page.
    expect(problems.filter((problem) => !problem.endsWith("(net::ERR_ABORTED)"))).toEqual([]);
  });

  it.each(["photoshop-current", "photoshop", "ims", "emulator"] as const)(
    "shows every operation of %s.yaml in its HTTP reference",
    async (name) => {
      const expected = operationIds(name);
      expect(expected.length).toBeGreaterThan(0);
      const problems = await visit(`http/${name}.html`, async (page) => {
        await page.waitForSelector('[data-section-id^="operation/"], [data-section-id*="/operation/"]', WAIT);
        const sections = await page.$$eval("[data-section-id]", (elements) =>
          elements.map((element) => element.getAttribute("data-section-id") ?? ""),
        );
        const shown = new Set(sections.map((id) => /(?:^|\/)operation\/(.+)$/.exec(id)?.[1]).filter(Boolean));
        for (const id of expected) expect(shown, `${name}: ${id}`).toContain(id);
        if (name === "photoshop")
          await expect(page.locator("p.retired").textContent()).resolves.toContain("Retired");
      });
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    },
  );
});

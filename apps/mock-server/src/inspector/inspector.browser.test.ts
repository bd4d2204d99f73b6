import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator } from "../app.js";
import { readCassette } from "../cassette/format.js";
import { recordingFetch } from "../cassette/recording-fetch.js";
import { type RunningServer, startServer } from "../server.js";
import { CLIENT_ID, CLIENT_SECRET } from "../testing/helpers.js";

/*
 * The inspector in a real browser: Playwright (playwright-core, no bundled browser) drives the
 * Chromium Debian packages, headless, against an emulator on a real 127.0.0.1 port. Every wait is
 * on a condition (a selector, a page state), with generous limits for a loaded CI machine; the
 * screenshots are artifacts (reports/inspector/), compared against nothing.
 */

const CHROMIUM = [process.env.PSAPI_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => !!path && existsSync(path),
);
if (!CHROMIUM) {
  console.warn(
    "inspector browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium, or set PSAPI_CHROMIUM)",
  );
}

/** A condition may take this long on a loaded 2-core CI machine; nothing waits for a fixed time. */
const WAIT = { timeout: 60_000 };
const SHOTS = new URL("../../reports/inspector/", import.meta.url);
const fixture = (name: string) => readFile(new URL(`../../test-fixtures/${name}`, import.meta.url));

describe.skipIf(!CHROMIUM)("the inspector in Chromium", { timeout: 180_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;

  /** A control-API or API call from the test (Node's fetch: no Origin, like any non-browser client). */
  const call = async (path: string, init: RequestInit = {}) => fetch(new URL(path, base), init);
  const json = async <T>(path: string, init: RequestInit = {}) =>
    (await (await call(path, init)).json()) as T;
  const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const token = async () =>
    (
      await json<{ access_token: string }>("/ims/token/v3", {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
        }),
      })
    ).access_token;
  const auth = async () => ({ authorization: `Bearer ${await token()}`, "x-api-key": CLIENT_ID });
  const presign = async (key: string, method: "GET" | "PUT") =>
    (await json<{ url: string }>("/__emulator/storage/presign", postJson({ key, method }))).url;
  async function submit(kind: "mask" | "cutout", image: string) {
    const put = await call(await presign(`${kind}/in.png`, "PUT"), {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(await fixture(image)),
    });
    expect(put.status).toBe(200);
    const body = {
      input: { href: await presign(`${kind}/in.png`, "GET"), storage: "external" },
      output: { href: await presign(`${kind}/out.png`, "PUT"), storage: "external" },
    };
    const response = await call(`/sensei/${kind}`, postJson(body, await auth()));
    expect(response.status).toBe(202);
    const link = ((await response.json()) as { _links: { self: { href: string } } })._links.self.href;
    return link.split("/").pop() as string;
  }
  /** Puts a fixture in the emulator's storage and starts a current-contract job on it; its job id. */
  async function submitCurrent(path: "/v2/remove-background" | "/v1/mask-objects", image: string) {
    const key = `${path.slice(4)}/in.png`;
    const put = await call(await presign(key, "PUT"), {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(await fixture(image)),
    });
    expect(put.status).toBe(200);
    const body = { image: { source: { url: await presign(key, "GET") } } };
    const response = await call(path, postJson(body, await auth()));
    expect(response.status).toBe(202);
    return ((await response.json()) as { jobId: string }).jobId;
  }
  /** Waits until the page shows the job succeeded with `count` thumbnails, every one decoded. */
  async function thumbnailsShown(page: Page, jobId: string, count: number) {
    const job = `article[data-job="${jobId}"][data-status=succeeded]`;
    await page.waitForSelector(`${job} img[data-role=output]`, WAIT);
    // Every image decoded: the thumbnails are real PNGs the emulator rendered.
    await page.waitForFunction(
      ([selector, expected]) => {
        const images = [...document.querySelectorAll<HTMLImageElement>(`${selector} img`)];
        return images.length === expected && images.every((img) => img.complete && img.naturalWidth > 0);
      },
      [job, count] as const,
      WAIT,
    );
  }
  /** How many pixels of a shown image have the colour the inspector draws boxes in (#ff2d6f). */
  const boxPixels = (page: Page, selector: string) =>
    page.evaluate((target) => {
      const img = document.querySelector<HTMLImageElement>(target);
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d");
      if (!img || !context) return -1;
      [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
      context.drawImage(img, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [red = 0, green = 0, blue = 0] = [data[i], data[i + 1], data[i + 2]];
        if (red > 230 && green < 80 && blue > 80 && blue < 140) count++;
      }
      return count;
    }, selector);

  async function open(view: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${base}/__emulator/ui/${view}`);
    // Live once the event stream is open: changes after this point reach the page.
    await page.waitForSelector("body[data-live=on]", WAIT);
    return page;
  }
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: false });
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // Jobs take a moment, as by default, so the page sees them pending first.
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      demoCredentials: true,
      emulator: { jobs: { pendingMs: 100, runningMs: 300 } },
    });
    base = server.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    context = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: "light" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows a mask job and a cutout job with their input and output thumbnails, live", async () => {
    const page = await open("jobs");
    const maskId = await submit("mask", "chelsea.png");
    const cutoutId = await submit("cutout", "coffee.png");
    for (const id of [maskId, cutoutId]) await thumbnailsShown(page, id, 2);
    expect(await page.locator(`article[data-job="${maskId}"] figcaption`).allTextContents()).toEqual([
      "input: input",
      "output: mask",
    ]);
    expect(await page.locator(`article[data-job="${cutoutId}"] figcaption`).allTextContents()).toEqual([
      "input: input",
      "output: cutout",
    ]);
    await shot(page, "jobs");
    // The pages bring their own icon: the first pages this browser opened asked the API for no
    // /favicon.ico (a 404 in the journal). Later tests open JSON answers, which have no icon.
    const { entries } = await json<{ entries: { path: string }[] }>("/__emulator/journal");
    expect(entries.map((entry) => entry.path)).not.toContain("/favicon.ico");
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "jobs-dark");
    await page.close();
  });

  it("shows current-contract jobs live: a remove-background job's input and output, a mask-objects job's boxes over its input", async () => {
    const page = await open("jobs");
    // The same photo for both: the remove-background job's input thumbnail is the one without boxes.
    const removeId = await submitCurrent("/v2/remove-background", "chelsea.png");
    const objectsId = await submitCurrent("/v1/mask-objects", "chelsea.png");
    await thumbnailsShown(page, removeId, 2);
    expect(await page.locator(`article[data-job="${removeId}"] figcaption`).allTextContents()).toEqual([
      "input: input",
      "output: outputs",
    ]);

    // Every region the job found (objects and background) has its box drawn over the input. The
    // regions are read once the page shows the job succeeded: before that the status has none.
    await page.waitForSelector(
      `article[data-job="${objectsId}"][data-status=succeeded] img[data-role=output]`,
      WAIT,
    );
    const status = await json<Record<string, { boundingBox?: unknown }[]>>(`/v1/status/${objectsId}`, {
      headers: await auth(),
    });
    const regions = [...(status.semanticMasks ?? []), ...(status.backgroundMasks ?? [])];
    expect(regions.filter((region) => region.boundingBox).length).toBeGreaterThan(1);
    await thumbnailsShown(page, objectsId, 1 + regions.length);
    const input = `article[data-job="${objectsId}"] img[data-role=input]`;
    expect(await page.getAttribute(input, "data-boxes")).toBe(String(regions.length));
    expect(await page.locator(`article[data-job="${objectsId}"] figcaption`).first().textContent()).toBe(
      `input: input, ${regions.length} boxes drawn over it`,
    );
    const withBoxes = await boxPixels(page, input);
    const without = await boxPixels(page, `article[data-job="${removeId}"] img[data-role=input]`);
    expect(without).toBeGreaterThanOrEqual(0);
    expect(withBoxes, `box-coloured pixels: ${withBoxes} with boxes, ${without} without`).toBeGreaterThan(
      Math.max(200, 10 * without),
    );
    // The live view re-renders the job's article while it updates: a locator's element can be
    // replaced between "stable" and the scroll (Playwright: "not attached to the DOM"), so the page
    // looks the article up itself at the moment it scrolls.
    await page.evaluate(
      (selector) => document.querySelector(selector)?.scrollIntoView({ block: "center" }),
      `article[data-job="${objectsId}"]`,
    );
    await shot(page, "jobs-current");
    await page.close();
  });

  it("adds a 503 fault from the page, by keyboard, and the next request fails with 503 in the live list", async () => {
    const faults = await open("faults");
    const route = faults.getByLabel("Route");
    await route.fill("GET /pie/psdService/hello");
    await faults.getByLabel("Status").selectOption("503");
    await faults.getByLabel("Times (empty: until removed)").fill("1");
    await route.press("Enter");
    await faults.waitForSelector('#status[data-kind=ok]:has-text("Add a fault rule: done")', WAIT);
    const row = faults.locator("tr[data-fault]", { hasText: "GET /pie/psdService/hello" });
    await row.waitFor(WAIT);
    expect(await row.locator("td").nth(2).textContent()).toBe("503");
    expect(await row.locator("td").nth(3).textContent()).toBe("1");

    const requests = await open("requests");
    const hello = await call("/pie/psdService/hello", { headers: await auth() });
    expect(hello.status).toBe(503);
    const entry = requests.locator("ol.journal details", { hasText: "/pie/psdService/hello" }).first();
    await entry.waitFor(WAIT);
    expect(await entry.locator(".status").textContent()).toBe("503");
    await entry.locator("summary").click();
    expect(await entry.locator("dl.entry").textContent()).toContain("503 (503001)");
    // The token is in the request's headers, redacted.
    const authorization = entry.locator("table.kv tr", { hasText: "authorization" }).locator("td");
    expect(await authorization.textContent()).toBe("[REDACTED]");
    await shot(requests, "requests");

    // The rule was used up: the faults page shows it with nothing left.
    await faults.reload();
    await faults.locator("tr[data-fault]", { hasText: "GET /pie/psdService/hello" }).waitFor(WAIT);
    expect(await row.locator("td").nth(3).textContent()).toBe("0");
    expect(await row.locator("td").nth(5).textContent()).toBe("1");
    await shot(faults, "faults");
    await faults.close();
    await requests.close();
  });

  it("advancing the clock in the page expires a token", async () => {
    const headers = await auth();
    const [issued] = (await json<{ tokens: { tokenId: string }[] }>("/__emulator/tokens")).tokens;
    const tokens = await open("tokens");
    await tokens.waitForSelector(`tr[data-token="${issued?.tokenId}"][data-state=valid]`, WAIT);
    await shot(tokens, "tokens");

    const clock = await open("clock");
    await clock.getByRole("button", { name: "+1 day" }).click();
    await clock.waitForSelector('#status[data-kind=ok]:has-text("Advance the clock: done")', WAIT);
    await shot(clock, "clock");
    // The open tokens page hears of it (a state event) and shows the token expired.
    await tokens.waitForSelector(`tr[data-token="${issued?.tokenId}"][data-state=expired]`, WAIT);
    expect((await call("/pie/psdService/hello", { headers })).status).toBe(401);
    await clock.close();
    await tokens.close();
  });

  it("shows a hostile request's path, headers and body as text and runs none of it", async () => {
    const page = await open("requests");
    const alarms: string[] = [];
    page.on("dialog", (dialog) => {
      alarms.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => alarms.push(`error: ${error.message}`));
    page.on("console", (message) => alarms.push(`console: ${message.text()}`));
    const script = "<script>window.pwned=1;alert(1)</script>";
    const img = '"><img src=x onerror="window.pwned=2;alert(2)">';
    await call(`/pie/psdService/${encodeURI(script + img)}`, {
      headers: { ...(await auth()), "x-hostile": script + img },
    });
    const body = { input: { href: script, storage: "nowhere" }, output: { href: img, storage: "external" } };
    expect((await call("/sensei/mask", postJson(body, await auth()))).status).toBe(400);

    // Both arrive through the live refresh (server-rendered, parsed by DOMParser, moved in).
    const entryWithPath = (text: string) =>
      page.locator("ol.journal details").filter({ has: page.locator(".path", { hasText: text }) });
    const hostilePath = entryWithPath("window.pwned=1").first();
    await hostilePath.waitFor(WAIT);
    const hostileBody = entryWithPath("/sensei/mask").first();
    await hostileBody.waitFor(WAIT);
    await hostilePath.locator("summary").click();
    await hostileBody.locator("summary").click();
    expect(await hostilePath.locator(".path").textContent()).toBe(`/pie/psdService/${script}${img}`);
    expect(
      await hostilePath.locator("table.kv tr", { hasText: "x-hostile" }).locator("td").textContent(),
    ).toBe(script + img);
    expect(await hostileBody.locator("pre.body").textContent()).toContain(JSON.stringify(img).slice(1, -1));
    // Again from a fresh load of the page (the server's rendering alone).
    await page.reload();
    await entryWithPath("window.pwned=1").first().waitFor(WAIT);
    const dom = await page.evaluate(() => ({
      scripts: [...document.scripts].map((s) => s.getAttribute("src")),
      injectedImages: document.querySelectorAll('img[src="x"]').length,
      pwned: (window as unknown as { pwned?: number }).pwned,
    }));
    expect(dom).toEqual({
      scripts: ["/__emulator/ui/assets/inspector.js"],
      injectedImages: 0,
      pwned: undefined,
    });
    expect(alarms).toEqual([]);
    await page.close();
  });

  it("refuses a state change sent by a page on another origin", async () => {
    const added = await call("/__emulator/faults", postJson({ route: "GET /nowhere", status: 500 }));
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    // A page on another port (another origin) that posts a form to reset the emulator (classic CSRF).
    const target = `${base}/__emulator/reset`;
    const evil: Server = createServer((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end(
        `<form method="post" action="${base}/__emulator/reset" enctype="text/plain">` +
          `<input name="x" value="y"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const page = await context.newPage();
    const refused = page.waitForResponse((response) => response.url() === target, WAIT);
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    expect((await refused).status()).toBe(403);
    const { rules } = await json<{ rules: { id: string }[] }>("/__emulator/faults");
    expect(rules.map((rule) => rule.id)).toContain(id);
    await page.close();
    await new Promise<void>((resolve) => evil.close(() => resolve()));
  });

  it("is usable with the keyboard: the views are reachable by Tab and Enter", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/__emulator/ui`);
    await page.keyboard.press("Tab"); // skip link
    await page.keyboard.press("Tab"); // Requests
    await page.keyboard.press("Tab"); // Jobs
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Jobs");
    await Promise.all([page.waitForURL(/\/ui\/jobs$/, WAIT), page.keyboard.press("Enter")]);
    expect(await page.locator("nav a[aria-current=page]").textContent()).toBe("Jobs");
    await page.close();
  });

  it("lists a replayed cassette's exchanges on the Cassette page, counting each served one live", async () => {
    // A two-exchange cassette recorded against an in-process emulator, then served by another.
    const dir = await mkdtemp(join(tmpdir(), "psapi-inspector-cassette-"));
    const file = join(dir, "hello.har");
    const upstream = createEmulator();
    const recorder = recordingFetch({
      cassette: file,
      mode: "record",
      fetch: async (r) => upstream.fetch(r),
    });
    const origin = "http://127.0.0.1:4999";
    const tokenForm = () =>
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
    const { access_token } = (await (
      await recorder.fetch(`${origin}/ims/token/v3`, { method: "POST", body: tokenForm() })
    ).json()) as { access_token: string };
    await recorder.fetch(`${origin}/pie/psdService/hello`, {
      headers: { authorization: `Bearer ${access_token}`, "x-api-key": CLIENT_ID },
    });
    await recorder.save();
    const replaying = await startServer({
      host: "127.0.0.1",
      port: 0,
      demoCredentials: true,
      emulator: { replay: await readCassette(file) },
    });
    const page = await context.newPage();
    try {
      await page.goto(`${replaying.url}/__emulator/ui/cassette`);
      await page.waitForSelector("body[data-live=on]", WAIT);
      expect(await page.locator("tr[data-entry] td:nth-child(3)").allTextContents()).toEqual([
        "getToken",
        "hello",
      ]);
      expect(await page.locator('tr[data-entry="0"] td:last-child').textContent()).toBe("0");
      const served = await fetch(`${replaying.url}/ims/token/v3`, { method: "POST", body: tokenForm() });
      expect(served.status).toBe(200);
      // The journal's change reaches the page, which shows the token call served once.
      await page.waitForSelector('tr[data-entry="0"] td:last-child:text-is("1")', WAIT);
      await shot(page, "cassette");
      await page.goto(`${replaying.url}/__emulator/ui/requests`);
      expect(await page.locator("ol.journal .path").allTextContents()).toEqual(["/ims/token/v3"]);
    } finally {
      await page.close();
      await replaying.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

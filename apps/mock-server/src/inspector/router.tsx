/** @jsxImportSource hono/jsx */
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { limitsSnapshot } from "../control/inspector-routes.js";
import { resourceNotFound } from "../http/errors.js";
import { jobSummary } from "../jobs/job-views.js";
import { CassetteView } from "./cassette-view.js";
import { ClockView } from "./clock-view.js";
import { FaultsView } from "./faults-view.js";
import { jobImages, ownStoreKey } from "./job-images.js";
import { type InspectorJob, JobsView } from "./jobs-view.js";
import { Layout, UI_PATH, VIEWS, type ViewId } from "./layout.js";
import { RequestsView } from "./requests-view.js";
import { TokensView } from "./tokens-view.js";

/** Jobs and journal entries one page shows at most (the journal keeps up to 1000). */
const PAGE_LIMIT = 200;

/**
 * The page's files, from the package's `inspector-assets/` (shipped in the package, two levels up
 * from both `src/inspector/` and `dist/inspector/`): nothing is fetched from anywhere else.
 */
const ASSETS = {
  "inspector.js": "text/javascript; charset=utf-8",
  "inspector.css": "text/css; charset=utf-8",
  // Its own icon, so the browser does not ask the API for /favicon.ico (a 404 in the journal).
  "icon.svg": "image/svg+xml",
} as const;

/**
 * The page's Content-Security-Policy: scripts, styles, images and connections from the emulator's
 * own origin only; no inline script or style, no plugin, no frame, no form posting elsewhere.
 */
const inspectorHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  crossOriginResourcePolicy: "same-origin",
});

const isView = (id: string): id is ViewId => VIEWS.some((view) => view.id === id);

/**
 * The inspector, `GET /__emulator/ui` and `/__emulator/ui/{view}`: pages rendered on the server
 * from the emulator's state with Hono's JSX, plus the one script and stylesheet they load. The
 * pages only read state; every change they make is a call to the control API from the page.
 */
export function createInspectorRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  const files = new Map<string, Promise<string>>();
  const clients = () => [...ctx.options.clients.keys()];

  router.use("/ui/*", inspectorHeaders);
  router.use("/ui", inspectorHeaders);

  router.get("/ui/assets/:file", async (c) => {
    const file = c.req.param("file");
    if (!Object.hasOwn(ASSETS, file)) throw resourceNotFound();
    let text = files.get(file);
    if (!text) {
      text = readFile(new URL(`../../inspector-assets/${file}`, import.meta.url), "utf8");
      files.set(file, text);
    }
    c.header("content-type", ASSETS[file as keyof typeof ASSETS]);
    c.header("cache-control", "no-cache");
    return c.body(await text);
  });

  const render = (view: ViewId, query: Record<string, string>) => {
    const now = ctx.time.now();
    switch (view) {
      case "requests": {
        const status = /^\d{1,3}$/.test(query.status ?? "") ? Number(query.status) : undefined;
        const filter = {
          method: query.method || undefined,
          path: query.path || undefined,
          status: query.status || undefined,
          clientId: query.clientId || undefined,
        };
        const entries = ctx.journal.list({ ...filter, status, limit: PAGE_LIMIT });
        return <RequestsView entries={entries} filter={filter} clients={clients()} />;
      }
      case "jobs": {
        const jobs: InspectorJob[] = ctx.jobs
          .list()
          .slice(0, PAGE_LIMIT)
          .map((job) => {
            const summary = jobSummary(job);
            return {
              ...summary,
              created: job.createdAt,
              modified: job.modifiedAt,
              images: jobImages(job).map((image, index) => {
                const key = ownStoreKey(image, job.ownOrigins);
                return {
                  index,
                  role: image.role,
                  label: image.label,
                  stored: !!key && ctx.store.has(key),
                  boxes: image.boxes?.length ?? 0,
                };
              }),
            };
          });
        return <JobsView jobs={jobs} now={now} />;
      }
      case "tokens":
        return <TokensView tokens={ctx.tokens.list()} clients={clients()} now={now} />;
      case "faults":
        return (
          <FaultsView rules={ctx.faults.list()} seed={ctx.options.faultSeed} limits={limitsSnapshot(ctx)} />
        );
      case "clock":
        return (
          <ClockView
            now={now}
            counts={{
              jobs: ctx.jobs.size,
              "journal entries": ctx.journal.list().length,
              "fault rules": ctx.faults.list().length,
              "tokens issued": ctx.tokens.list().length,
            }}
          />
        );
      case "cassette": {
        const replay = ctx.replay;
        const entries = (replay?.entries ?? []).map((entry, index) => ({
          index,
          method: entry.request.method,
          operation: entry._psapi.operationId ?? new URL(entry.request.url).pathname,
          url: entry.request.url.split("?")[0] ?? "",
          status: entry.response.status,
          job: entry._psapi.job,
          played: replay?.played(entry) ?? 0,
        }));
        return <CassetteView file={replay?.file} entries={entries} />;
      }
    }
  };

  router.get("/ui", (c) => c.redirect(`${UI_PATH}/requests`));
  router.get("/ui/:view", (c) => {
    const view = c.req.param("view");
    if (!isView(view)) throw resourceNotFound();
    c.header("cache-control", "no-store");
    // Standards mode needs the doctype, which JSX cannot express.
    return c.html(
      html`<!DOCTYPE html>${(
        <Layout view={view} now={ctx.time.now()}>
          {render(view, c.req.query())}
        </Layout>
      )}`,
    );
  });

  return router;
}

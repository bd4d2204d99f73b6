/** @jsxImportSource hono/jsx */
import { readFile } from "node:fs/promises";
import { loadSpec } from "@psapi/openapi";
import { Hono } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import type { EmulatorEnv } from "../context.js";
import { resourceNotFound } from "../http/errors.js";
import { UI_PATH } from "./layout.js";

/** Where the emulator's own HTTP reference lives (`/__emulator/docs`, under the control guard). */
export const DOCS_PATH = "/__emulator/docs";

/** The references it shows: the current contract at `/__emulator/docs`, the others under it. */
const REFERENCES = {
  current: { spec: "photoshop-current.yaml", title: "Photoshop API (current contract)" },
  control: { spec: "emulator.yaml", title: "Emulator control API (/__emulator)" },
  ims: { spec: "ims.yaml", title: "Adobe IMS (tokens)" },
  retired: { spec: "photoshop.yaml", title: "Photoshop API v1 (retired by Adobe)" },
} as const;
type ReferenceId = keyof typeof REFERENCES;

const hrefOf = (id: ReferenceId) => (id === "current" ? DOCS_PATH : `${DOCS_PATH}/${id}`);

/**
 * The files the pages load, all from the emulator's own origin: Redoc's standalone bundle (copied
 * into the package's `reference-assets/` by its build, see scripts/reference-assets.mjs) and the
 * page's own script and styles (`inspector-assets/`).
 */
const ASSETS = {
  "redoc.standalone.js": { dir: "reference-assets", type: "text/javascript; charset=utf-8" },
  "reference.js": { dir: "inspector-assets", type: "text/javascript; charset=utf-8" },
  "reference.css": { dir: "inspector-assets", type: "text/css; charset=utf-8" },
} as const;

/**
 * The inspector's policy, loosened only where Redoc needs it: its styled-components put `<style>`
 * elements in the page ('unsafe-inline' styles, never scripts), and its logo is a data: image.
 * Search is off in Redoc's options, so no worker is started.
 */
const docsHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    formAction: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: "no-referrer",
  crossOriginResourcePolicy: "same-origin",
});

const isReference = (id: string): id is ReferenceId => Object.hasOwn(REFERENCES, id);

const Page = ({ id }: { id: ReferenceId }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${REFERENCES[id].title} · psapi emulator`}</title>
      <link rel="stylesheet" href={`${DOCS_PATH}/assets/reference.css`} />
      <link rel="icon" href={`${UI_PATH}/assets/icon.svg`} type="image/svg+xml" />
    </head>
    <body>
      <nav class="reference-nav" aria-label="References">
        <a href={`${UI_PATH}/requests`}>← inspector</a>
        {(Object.keys(REFERENCES) as ReferenceId[]).map((other) =>
          other === id ? (
            <strong aria-current="page">{REFERENCES[other].title}</strong>
          ) : (
            <a href={hrefOf(other)}>{REFERENCES[other].title}</a>
          ),
        )}
      </nav>
      <div id="redoc" data-spec={`${DOCS_PATH}/specs/${id}.json`} />
      <script src={`${DOCS_PATH}/assets/redoc.standalone.js`} />
      <script src={`${DOCS_PATH}/assets/reference.js`} />
    </body>
  </html>
);

/**
 * `GET /__emulator/docs` (the current contract), `/__emulator/docs/{control,ims,retired}`: Redoc
 * pages of the OpenAPI files the emulator validates against, with the specs as JSON under
 * `/__emulator/docs/specs/` and every script from this origin.
 */
export function createReferenceRouter(): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  const files = new Map<string, Promise<string>>();
  router.use("/docs", docsHeaders);
  router.use("/docs/*", docsHeaders);

  router.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    if (!Object.hasOwn(ASSETS, file)) throw resourceNotFound();
    const asset = ASSETS[file as keyof typeof ASSETS];
    let text = files.get(file);
    if (!text) {
      // Two levels up from both src/inspector/ and dist/inspector/: the package's folders.
      text = readFile(new URL(`../../${asset.dir}/${file}`, import.meta.url), "utf8");
      text.catch(() => files.delete(file));
      files.set(file, text);
    }
    c.header("content-type", asset.type);
    c.header("cache-control", "no-cache");
    return c.body(await text);
  });

  router.get("/docs/specs/:file", (c) => {
    const id = c.req.param("file").replace(/\.json$/, "");
    if (!isReference(id) || !c.req.param("file").endsWith(".json")) throw resourceNotFound();
    c.header("cache-control", "no-cache");
    return c.json(loadSpec(REFERENCES[id].spec).document as object);
  });

  const page = (id: ReferenceId) => html`<!DOCTYPE html>${<Page id={id} />}`;
  router.get("/docs", (c) => c.html(page("current")));
  router.get("/docs/:id", (c) => {
    const id = c.req.param("id");
    if (!isReference(id) || id === "current") throw resourceNotFound();
    return c.html(page(id));
  });
  return router;
}

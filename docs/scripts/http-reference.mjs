// The HTTP reference: one Redoc page per OpenAPI file of @psapi/openapi, with Redoc's standalone
// bundle copied next to them, so that nothing loads from another origin when a page is viewed.
// The bundle is the emulator's copy (@psapi/mock-server's reference-assets/, which its build writes
// with the one network URL in Redoc, a logo, made local); Redoc names fonts but loads none.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { loadSpec } from "@psapi/openapi";

const require = createRequire(import.meta.url);

/** The four specs, in the order the site lists them; `retired` puts a banner above the reference. */
export const SPECS = [
  { name: "photoshop-current", title: "Photoshop API (current contract)", retired: false },
  { name: "photoshop", title: "Photoshop API v1 (retired contract)", retired: true },
  { name: "ims", title: "Adobe IMS (tokens)", retired: false },
  { name: "emulator", title: "Emulator control API (/__emulator)", retired: false },
];

/** The emulator's folder of Redoc files (the bundle and its licence notice). */
function referenceAssets() {
  return join(dirname(require.resolve("@psapi/mock-server/package.json")), "reference-assets");
}

/**
 * Writes `<out>/<name>.html`, `<name>.json`, `<name>.js` for every spec, and the bundle.
 *
 * @param {string} out - The folder (the site's `public/http/`).
 * @param {string} home - The link back to the guides ("../index.html").
 */
export function writeHttpReference(out, home) {
  mkdirSync(out, { recursive: true });
  for (const file of ["redoc.standalone.js", "redoc.standalone.js.LICENSE.txt"]) {
    copyFileSync(join(referenceAssets(), file), join(out, file));
  }
  writeFileSync(join(out, "http-reference.css"), CSS);
  for (const spec of SPECS) {
    writeFileSync(join(out, `${spec.name}.json`), JSON.stringify(loadSpec(`${spec.name}.yaml`).document));
    writeFileSync(join(out, `${spec.name}.js`), initScript(`${spec.name}.json`));
    writeFileSync(join(out, `${spec.name}.html`), page(spec, home));
  }
}

/** The script that starts Redoc on a page (a file of its own: no inline script, for a strict CSP). */
export function initScript(specUrl) {
  return `Redoc.init(${JSON.stringify(specUrl)}, { expandResponses: "200,202", hideDownloadButton: false, jsonSampleExpandLevel: 3 }, document.getElementById("redoc"));\n`;
}

const escapeHtml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

function page(spec, home) {
  const banner = spec.retired
    ? `<p class="retired" role="note"><strong>Retired by Adobe.</strong> This is the v1 contract (<code>/pie/psdService</code>, <code>/sensei</code>): Adobe's hosts no longer serve it, and psapi's client refuses these operations there with a <code>RetiredOperationError</code> naming the replacement. See <a href="${home.replace("index.html", "guide/migrating.html")}">Migrating from the retired contract</a>.</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.title)} · psapi HTTP reference</title>
<link rel="stylesheet" href="http-reference.css">
</head>
<body>
<nav class="top"><a href="${home}">psapi docs</a> · HTTP reference: ${SPECS.map((other) =>
    other.name === spec.name
      ? `<strong>${escapeHtml(other.title)}</strong>`
      : `<a href="${other.name}.html">${escapeHtml(other.title)}</a>`,
  ).join(" · ")}</nav>
${banner}
<div id="redoc"></div>
<script src="redoc.standalone.js"></script>
<script src="${spec.name}.js"></script>
</body>
</html>
`;
}

/** The few styles of the bar above Redoc. */
export const CSS = `body { margin: 0; font-family: system-ui, sans-serif; }
nav.top { padding: 8px 16px; border-bottom: 1px solid #ddd; font-size: 14px; }
nav.top a { color: #2f6fb3; }
p.retired { margin: 0; padding: 10px 16px; background: #fff4d6; border-bottom: 1px solid #e8c766; font-size: 14px; }
`;

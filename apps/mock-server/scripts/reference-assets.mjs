#!/usr/bin/env node
// Copies Redoc's standalone bundle (a devDependency: one prebuilt file, so the emulator's users do
// not install Redoc's React/MobX tree) into reference-assets/, which the package ships and
// `/__emulator/docs` serves from the emulator's own origin. One change: the bundle shows Redocly's
// logo from cdn.redoc.ly; that URL becomes a data: URL of our own small SVG (a relative file would
// resolve differently under each page's path), so that a page loads nothing from the network. The
// docs site takes its bundle from here.
// Run by `build`, and by the tests' global set-up (vitest.config.ts), so both find the file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const OUT = fileURLToPath(new URL("../reference-assets/", import.meta.url));
const LOGO_URL = '"https://cdn.redoc.ly/redoc/logo-mini.svg"';
const LOGO = JSON.stringify(
  `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="6" fill="#8a8a8a"/></svg>')}`,
);

/** Writes reference-assets/redoc.standalone.js (patched) and its licence notice. */
export function writeReferenceAssets() {
  const bundles = join(dirname(require.resolve("redoc/package.json")), "bundles");
  const bundle = readFileSync(join(bundles, "redoc.standalone.js"), "utf8");
  const uses = bundle.split(LOGO_URL).length - 1;
  if (uses !== 1) {
    // A new Redoc version: check what it loads from the network before changing this.
    throw new Error(`expected Redoc's bundle to name ${LOGO_URL} once, found ${uses} times`);
  }
  if (/fonts\.googleapis|fonts\.gstatic/.test(bundle)) {
    throw new Error("Redoc's bundle names Google Fonts: it would load fonts from the network");
  }
  // Never removed and rewritten in place: the build, this package's tests and the docs build run
  // at once under turbo, and a reader between a removal and the write met ENOENT.
  mkdirSync(OUT, { recursive: true });
  // The source maps are not shipped, so the comments naming them go too (dangling references):
  // the bundle's own, at its end, and its search worker's, inside the worker's inlined source.
  const MAP = /\n\/\/# sourceMappingURL=redoc\.standalone\.js\.map\s*$/;
  const WORKER_MAP = /\\n\/\/# sourceMappingURL=[0-9a-f]+\.worker\.js\.map/g;
  if (!MAP.test(bundle)) throw new Error("expected Redoc's bundle to end with its sourceMappingURL comment");
  const patched = bundle.replace(LOGO_URL, LOGO).replace(MAP, "").replace(WORKER_MAP, "");
  if (/[#@] sourceMappingURL=(?!data:)/.test(patched))
    throw new Error("Redoc's bundle still names a source map file");
  replaceFile(join(OUT, "redoc.standalone.js"), `${patched}\n`);
  replaceFile(
    join(OUT, "redoc.standalone.js.LICENSE.txt"),
    readFileSync(join(bundles, "redoc.standalone.js.LICENSE.txt"), "utf8"),
  );
}

/** Writes `text` to `file` by a rename (a reader sees the old file or the new one), if it differs. */
function replaceFile(file, text) {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Vitest's global set-up calls this. */
export default function setup() {
  writeReferenceAssets();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeReferenceAssets();

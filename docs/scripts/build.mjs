#!/usr/bin/env node
// `pnpm run docs` (root) → here: builds the whole site into docs/dist/ (git-ignored).
// 1. TypeDoc (typedoc-plugin-markdown) writes every public package's API into site/api/;
// 2. the built CLI's --help of each command becomes site/cli/;
// 3. a page per API error code of the OpenAPI files goes to site/errors/api/, and Redoc pages of
//    the four files to site/public/http/ (copied as they are);
// 4. VitePress builds site/ (guides, the pages above, local search) into dist/.
// Every generated folder is removed first, so a page of a removed export or command cannot linger.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeCliReference } from "./cli-reference.mjs";
import { writeErrorCodePages } from "./error-codes.mjs";
import { writeHttpReference } from "./http-reference.mjs";

const require = createRequire(import.meta.url);
const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const site = join(here, "site");
const repo = join(here, "..");

/**
 * The packages' READMEs (TypeDoc's module pages) show images from raw.githubusercontent.com, which
 * works on GitHub and npm; on this site every such image is copied from the repository into
 * public/repo/ and the page points at the copy, so that viewing it asks nothing of the network.
 */
function localiseRepoImages(dir) {
  const prefix = /https:\/\/raw\.githubusercontent\.com\/psapi\/psapi\/main\/([\w./-]+)/g;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      localiseRepoImages(path);
      continue;
    }
    if (!entry.name.endsWith(".md")) continue;
    const text = readFileSync(path, "utf8");
    const local = text.replace(prefix, (_, file) => {
      const source = join(repo, file);
      if (file.includes("..") || !existsSync(source))
        throw new Error(`${path} shows ${file}, which the repository lacks`);
      const copy = join(site, "public", "repo", file);
      mkdirSync(dirname(copy), { recursive: true });
      copyFileSync(source, copy);
      return `/repo/${file}`;
    });
    if (local !== text) writeFileSync(path, local);
  }
}

/**
 * Vue reads `{{ … }}` in a page as an expression, inline code included: the READMEs' template
 * placeholders (`{{column}}`, `{{storage:<n>}}`) would render empty or break the build. Each
 * inline code span that holds one becomes `<code v-pre>`, which Vue leaves as it is (fenced blocks
 * are already kept verbatim by VitePress).
 */
function escapeMustaches(dir) {
  const html = (text) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      escapeMustaches(path);
      continue;
    }
    if (!entry.name.endsWith(".md")) continue;
    const text = readFileSync(path, "utf8");
    let fenced = false;
    const lines = text.split("\n").map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced || !line.includes("{{")) return line;
      return line.replace(/`([^`]*\{\{[^`]*)`/g, (_, code) => `<code v-pre>${html(code)}</code>`);
    });
    const escaped = lines.join("\n");
    if (escaped !== text) writeFileSync(path, escaped);
  }
}

function run(label, bin, args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: here, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`docs: ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  console.log(`docs: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

for (const generated of ["api", "cli", "errors/api", "public/http", "public/repo", ".vitepress/cache"]) {
  rmSync(join(site, generated), { recursive: true, force: true });
}
rmSync(join(here, "dist"), { recursive: true, force: true });

run("TypeDoc (packages' API)", join(dirname(require.resolve("typedoc/package.json")), "bin", "typedoc"), []);
localiseRepoImages(join(site, "api"));
escapeMustaches(join(site, "api"));
const commands = writeCliReference(join(site, "cli"));
console.log(`docs: CLI reference of ${commands.length} commands`);
console.log(`docs: ${writeErrorCodePages(join(site, "errors", "api"))} API error code pages`);
writeHttpReference(join(site, "public", "http"), "../index.html");
console.log("docs: HTTP reference of 4 OpenAPI files");
run("VitePress", join(dirname(require.resolve("vitepress/package.json")), "bin", "vitepress.js"), [
  "build",
  "site",
]);

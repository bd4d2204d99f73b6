#!/usr/bin/env node
// `pnpm run docs:serve`: serves the built site (docs/dist/) on 127.0.0.1 only, read-only.
//   node scripts/serve.mjs [--port 4173]
// The browser test starts the same server on port 0.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

/** The built site's folder. */
export const SITE = fileURLToPath(new URL("../dist/", import.meta.url));

/**
 * Serves `root` on 127.0.0.1:`port` (0: any free port). GET and HEAD only; a folder serves its
 * index.html, an unknown path the site's 404.html with status 404.
 *
 * @param {{ root?: string, port?: number }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function serveSite({ root = SITE, port = 0 } = {}) {
  if (!existsSync(join(root, "index.html"))) {
    throw new Error(`no built site in ${root}: run \`pnpm run docs\` first`);
  }
  const server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      response.writeHead(400).end("bad path");
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep) && file !== root) {
      response.writeHead(404).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    const found = existsSync(file) && statSync(file).isFile();
    if (!found) file = join(root, "404.html");
    response.writeHead(found ? 200 : 404, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${address.port}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--port");
  const port = at === -1 ? 4173 : Number(process.argv[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("docs:serve: --port takes a port number (0-65535)");
    process.exit(2);
  }
  try {
    const { url } = await serveSite({ port });
    console.log(`docs: serving ${SITE} on ${url} (Ctrl-C to stop)`);
  } catch (error) {
    console.error(`docs:serve: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

// 5. Bundle size: what a user ships. Both libraries are bundled the same way (esbuild, ESM, minified,
// every export kept via `export *`, node builtins external) and gzipped at level 9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { BenchOutcome, Figure } from "./lib/report.js";
import { ratio } from "./lib/stats.js";

const benchDir = new URL(".", import.meta.url).pathname;

interface Size {
  readonly minified: number;
  readonly gzip: number;
  readonly inputs: number;
  /** Minified bytes each package contributes, largest first: where the size comes from. */
  readonly bytesByPackage: Readonly<Record<string, number>>;
}

function packageOf(path: string): string {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (match?.[1]) return match[1];
  // Workspace packages resolve to ../packages/<name>/dist through their symlink.
  const workspace = /packages\/([^/]+)\//.exec(path);
  return workspace?.[1] ? `@psapi/${workspace[1]}` : path;
}

async function bundle(entry: string): Promise<Size> {
  const result = await build({
    stdin: { contents: entry, resolveDir: benchDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const output = Object.values(result.metafile.outputs)[0];
  const bytesByPackage: Record<string, number> = {};
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    bytesByPackage[name] = (bytesByPackage[name] ?? 0) + bytesInOutput;
  }
  const sorted = Object.fromEntries(Object.entries(bytesByPackage).sort(([, a], [, b]) => b - a));
  // Deterministic size, independent of the count of runs: one bundle is one figure.
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs).length,
    bytesByPackage: sorted,
  };
}

function describe(bytes: Readonly<Record<string, number>>): string {
  return Object.entries(bytes)
    .map(([name, size]) => `${name} ${size}`)
    .join(", ");
}

const SDK = "@adobe/photoshop-apis 2.0.1";

/** Server-to-server auth, the core client, `removeBackground` and its job's `wait()`. */
const TYPICAL = `import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, removeBackground } from "@psapi/client";
export async function run(clientId, clientSecret, url) {
  const client = createPhotoshopClient({ auth: createServerToServerAuth({ clientId, clientSecret }) });
  const job = await removeBackground(client, { image: { source: { url } } });
  return job.wait();
}
`;

/** Runs the bundle-size comparison. */
export async function run(): Promise<BenchOutcome> {
  // Everything either library exports: the whole client (every operation as a method, and the
  // openapi-fetch clients) and every auth factory.
  const ours = await bundle('export * from "@psapi/client/all";\nexport * from "@psapi/auth";\n');
  const official = await bundle('export * from "@adobe/photoshop-apis";\n');
  // What a typical server-to-server user imports and calls, after tree shaking: the client's
  // budget of 10 KiB gzipped is for this import (packages/client/src/bundle-size.test.ts).
  const oursTypical = await bundle(TYPICAL);
  const officialTypical = await bundle('export { PhotoshopClient } from "@adobe/photoshop-apis";\n');
  const pair = (label: string, a: number, b: number): Figure => ({
    label,
    value: a,
    unit: "B",
    baseline: { label: SDK, value: b },
    ratio: ratio(a, b),
  });
  return {
    title: "Bundle size: client + auth vs the official SDK",
    settings: {
      bundler: "esbuild 0.28.2, format esm, platform node, target node20, minify",
      entries: {
        all: "export * from @psapi/client/all and @psapi/auth, vs export * from the SDK",
        typical:
          "createServerToServerAuth + createPhotoshopClient + removeBackground + job.wait() vs export { PhotoshopClient }",
      },
      compression: "gzip level 9",
      runs: "1 (a bundle is deterministic)",
    },
    raw: { ours, official, oursTypical, officialTypical },
    medians: {
      oursGzip: ours.gzip,
      officialGzip: official.gzip,
      oursTypicalGzip: oursTypical.gzip,
      officialTypicalGzip: officialTypical.gzip,
    },
    figures: [
      pair(
        "typical: auth + createPhotoshopClient + removeBackground + wait, min+gzip",
        oursTypical.gzip,
        officialTypical.gzip,
      ),
      pair("whole client (@psapi/client/all) + auth, min+gzip", ours.gzip, official.gzip),
      pair("whole client (@psapi/client/all) + auth, minified", ours.minified, official.minified),
    ],
    notes: [
      `ours, every export: ${ours.inputs} modules; minified bytes by package: ${describe(ours.bytesByPackage)}`,
      `official, every export: ${official.inputs} modules; minified bytes by package: ${describe(official.bytesByPackage)}`,
      `ours, typical: ${describe(oursTypical.bytesByPackage)}; official, typical (CommonJS, so nothing is shaken off): ${describe(officialTypical.bytesByPackage)}`,
    ],
  };
}

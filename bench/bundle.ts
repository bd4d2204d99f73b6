// 5. Bundle size: what a user ships. Both libraries are bundled the same way (esbuild, ESM, minified,
// every export kept via `export *`, node builtins external) and gzipped at level 9.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { BenchOutcome } from "./lib/report.js";
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

/** Runs the bundle-size comparison. */
export async function run(): Promise<BenchOutcome> {
  const ours = await bundle('export * from "@psapi/client";\nexport * from "@psapi/auth";\n');
  const official = await bundle('export * from "@adobe/photoshop-apis";\n');
  const baseline = { label: "@adobe/photoshop-apis 2.0.1", value: official.gzip };
  return {
    title: "Bundle size: client + auth vs the official SDK",
    settings: {
      bundler: "esbuild 0.28.2, format esm, platform node, target node20, minify, export * of each entry",
      compression: "gzip level 9",
      runs: "1 (a bundle is deterministic)",
    },
    raw: { ours, official },
    medians: { oursGzip: ours.gzip, officialGzip: official.gzip },
    figures: [
      {
        label: "@psapi/client + @psapi/auth, min+gzip",
        value: ours.gzip,
        unit: "B",
        baseline,
        ratio: ratio(ours.gzip, official.gzip),
      },
      {
        label: "@psapi/client + @psapi/auth, minified",
        value: ours.minified,
        unit: "B",
        baseline: { label: baseline.label, value: official.minified },
        ratio: ratio(ours.minified, official.minified),
      },
    ],
    notes: [
      `ours: ${ours.inputs} modules; minified bytes by package: ${describe(ours.bytesByPackage)}`,
      `official: ${official.inputs} modules; minified bytes by package: ${describe(official.bytesByPackage)}`,
    ],
  };
}

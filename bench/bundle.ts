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
  readonly packages: readonly string[];
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
  const inputs = Object.keys(result.metafile.inputs);
  const packages = [
    ...new Set(
      inputs.map((path) => {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path);
        return match?.[1] ?? path.split("/").slice(0, 2).join("/");
      }),
    ),
  ].sort();
  // Deterministic size, independent of the count of runs: one bundle is one figure.
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    inputs: inputs.length,
    packages,
  };
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
      `ours bundles ${ours.inputs} modules from: ${ours.packages.join(", ")}`,
      `official bundles ${official.inputs} modules from: ${official.packages.join(", ")}`,
    ],
  };
}

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** The budget: client + auth, bundled, minified and gzipped, at most 12 kB (12,000 bytes). */
const BUDGET_BYTES = 12_000;

/**
 * Auth's exports left out of the measure: `createJwtAuth` is the legacy JWT flow (Adobe deprecated JWT
 * credentials for OAuth server-to-server) and pulls in `jose`, a third-party signer that a bundler drops unless that factory is
 * imported. Every other export of both packages is in the bundle.
 */
const LEGACY_AUTH_EXPORTS = new Set(["createJwtAuth"]);

/** Everything @psapi/client exports plus every @psapi/auth value export (from its built `dist/`). */
async function entry(): Promise<string> {
  const auth = await import("@psapi/auth");
  const names = Object.keys(auth).filter((name) => !LEGACY_AUTH_EXPORTS.has(name));
  return `export * from "./index.ts";\nexport { ${names.join(", ")} } from "@psapi/auth";\n`;
}

async function gzippedSize(contents: string): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    external: ["node:*"],
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error("esbuild produced no output");
  return gzipSync(output.contents, { level: 9 }).length;
}

describe("bundle size", () => {
  it(`keeps client + auth at most ${BUDGET_BYTES} bytes minified and gzipped`, async () => {
    const size = await gzippedSize(await entry());
    console.log(`@psapi/client + @psapi/auth (minified, gzipped): ${size} bytes of ${BUDGET_BYTES}`);
    expect(size).toBeGreaterThan(5_000); // the bundle really contains both packages
    expect(size).toBeLessThanOrEqual(BUDGET_BYTES);
  }, 60_000);
});

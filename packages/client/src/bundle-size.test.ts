import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** The budget: client + auth, bundled, minified and gzipped, at most 12 kB (12,000 bytes). */
const BUDGET_BYTES = 12_000;

/**
 * Everything @psapi/client exports, plus every @psapi/auth credential factory and helper except
 * `createJwtAuth`: the legacy JWT flow (retired by Adobe) pulls in `jose`, a third-party signer
 * that a bundler drops unless that factory is imported. Auth comes from its built `dist/`.
 */
const ENTRY = `
export * from "./index.ts";
export {
  authFromEnv, createMemoryTokenStore, createRefreshTokenAuth, createServerToServerAuth,
  createStaticTokenAuth, ImsError, redactText, redactUrl, systemClock, tokenStoreKey,
} from "@psapi/auth";
`;

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
    const size = await gzippedSize(ENTRY);
    console.log(`@psapi/client + @psapi/auth (minified, gzipped): ${size} bytes of ${BUDGET_BYTES}`);
    expect(size).toBeGreaterThan(5_000); // the bundle really contains both packages
    expect(size).toBeLessThanOrEqual(BUDGET_BYTES);
  }, 60_000);
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * Client + auth, bundled, minified and gzipped. It was 12,000 bytes for the v1 surface alone (11,987
 * measured at c409bf2). Issue #14 added the current contract to the same client: 8 operations and
 * their status reads on two hosts, two more status shapes, `jobOutputs`/`urlExpiry` and the refusal
 * of retired operations on Adobe's host, measured at 13,531 bytes (+1,544). Neither split helps an
 * application: a separate entry for `jobOutputs`/`urlExpiry` (~560 bytes) moves bytes every
 * current-contract user loads anyway, and moving the retired methods out of
 * `createPhotoshopClient` would break the seed's v1 API. So the budget is the measure plus ~3 %
 * headroom; see the README's "Size".
 */
const BUDGET_BYTES = 14_000;
/**
 * A typical application's import may not grow when @psapi/core takes the shared utilities out of
 * @psapi/auth. Measured with this test's bundler settings on main just before (with the current
 * contract of #14): 12,013 bytes for `createPhotoshopClient` + `createServerToServerAuth`, 12,530
 * with `authFromEnv` as well. (Before #14's client methods the first was 11,069: the 11,071 B of
 * the bench's "typical" row.)
 */
const BEFORE_CORE = { withoutEnv: 12_013, withEnv: 12_530 } as const;
/**
 * What features added to that import since, each named, so that the guard still catches growth
 * nobody accounts for: #17's `storeTimeoutMs` option of @psapi/auth (measured +9 to +11 B); the
 * transport's token scrub over parsed JSON instead of raw text (`redactSecretsInBody`), with
 * `bearerToken` and the minimum token length (measured +168 to +176 B: 12,189 and 12,712); core's
 * redactor taking the user info out of URLs of any scheme (`redis://:password@host`) and keeping an
 * opaque origin's scheme and host (17df41d; measured +62 to +63 B: 12,251 and 12,775). Core's
 * `isLoopback` and auth's table of credential variable names (+42 B) are paid for by the auth
 * middleware auth no longer has (-37 B, measured 12,256 and 12,778).
 */
const ADDED_SINCE_BYTES = 16 + 180 + 64;
const TYPICAL_BUDGETS = {
  withoutEnv: BEFORE_CORE.withoutEnv + ADDED_SINCE_BYTES,
  withEnv: BEFORE_CORE.withEnv + ADDED_SINCE_BYTES,
} as const;
/** What importing the deprecated `createJwtAuth` may add to the entry (its option checks; not jose). */
const JWT_ENTRY_BYTES = 600;
/** jose's signer, loaded by `import()` on the first JWT token request only. */
const JWT_LAZY_BYTES = 6_000;

interface Measure {
  /** Gzipped bytes of the entry chunk and every chunk it imports statically: what loading costs. */
  entryBytes: number;
  /** Gzipped bytes of the chunks reached only through `import()`: loaded on first use, if ever. */
  lazyBytes: number;
  /** Source files in the statically loaded chunks. */
  entryInputs: string[];
  /** Source files in the lazily loaded chunks. */
  lazyInputs: string[];
}

/**
 * Every export of @psapi/client and every value export of @psapi/auth (read from its built `dist/`),
 * optionally without some of auth's: what an application that imports all of them bundles.
 */
async function entry(leaveOut: readonly string[] = []): Promise<string> {
  const names = Object.keys(await import("@psapi/auth")).filter((name) => !leaveOut.includes(name));
  return `export * from "./index.ts";\nexport { ${names.join(", ")} } from "@psapi/auth";\n`;
}

/**
 * Bundles and minifies `contents` with code splitting, as an application bundler would, and gzips
 * each chunk. Chunks reached only through `import()` are counted apart: they load on first use.
 */
async function measure(contents: string): Promise<Measure> {
  const outdir = mkdtempSync(join(tmpdir(), "psapi-bundle-"));
  try {
    const result = await build({
      stdin: { contents, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
      bundle: true,
      minify: true,
      splitting: true,
      format: "esm",
      platform: "neutral",
      external: ["node:*"],
      outdir,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const { outputs } = result.metafile;
    // Metafile paths are relative to the working directory; output files carry absolute paths.
    const gzipped = new Map(
      result.outputFiles.map((file) => [file.path, gzipSync(file.contents, { level: 9 }).length]),
    );
    const sizeOf = (path: string) => gzipped.get(resolve(path)) ?? Number.NaN;
    const entryPath = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined);
    if (entryPath === undefined) throw new Error("esbuild produced no entry chunk");
    // The entry and, transitively, every chunk it imports statically.
    const loaded = new Set<string>();
    const visit = (path: string) => {
      if (loaded.has(path)) return;
      loaded.add(path);
      for (const imported of outputs[path]?.imports ?? []) {
        if (imported.kind === "import-statement" && imported.path in outputs) visit(imported.path);
      }
    };
    visit(entryPath);
    const chunks = Object.keys(outputs).filter((path) => path.endsWith(".js"));
    const lazy = chunks.filter((path) => !loaded.has(path));
    const inputsOf = (paths: string[]) =>
      [...new Set(paths.flatMap((path) => Object.keys(outputs[path]?.inputs ?? {})))].sort();
    const total = (paths: string[]) => paths.reduce((sum, path) => sum + sizeOf(path), 0);
    return {
      entryBytes: total([...loaded]),
      lazyBytes: total(lazy),
      entryInputs: inputsOf([...loaded]),
      lazyInputs: inputsOf(lazy),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const isJose = (path: string) => path.includes("/jose/");
const isJwtFactory = (path: string) => path.endsWith("auth/dist/jwt.js");

describe("bundle size", () => {
  it(`keeps client + auth within ${BUDGET_BYTES} bytes minified and gzipped; the deprecated JWT path costs only its importers`, async () => {
    // Every export but the deprecated createJwtAuth: what an application pays for both packages.
    const core = await measure(await entry(["createJwtAuth"]));
    // Every export of both packages: the JWT factory's option checks join the entry, jose stays lazy.
    const all = await measure(await entry());
    const jwtEntryBytes = all.entryBytes - core.entryBytes;
    console.log(
      `@psapi/client + @psapi/auth (minified, gzipped): ${core.entryBytes} bytes of ${BUDGET_BYTES}; ` +
        `importing the deprecated createJwtAuth adds ${jwtEntryBytes} bytes, and jose (loaded by import() ` +
        `on its first token request only) ${all.lazyBytes} bytes more`,
    );

    // The measure holds both packages...
    expect(core.entryInputs.some((path) => path.endsWith("src/client.ts"))).toBe(true);
    expect(core.entryInputs.some((path) => path.endsWith("auth/dist/managed-auth.js"))).toBe(true);
    expect(core.entryBytes).toBeGreaterThan(5_000);
    // ...an application that does not import createJwtAuth bundles none of it (tree shaking)...
    expect(core.entryInputs.filter((path) => isJwtFactory(path) || isJose(path))).toEqual([]);
    // ...and one that does gets jose only in a chunk loaded on first use.
    expect(all.entryInputs.some(isJwtFactory)).toBe(true);
    expect(all.entryInputs.filter(isJose)).toEqual([]);
    expect(all.lazyInputs.some(isJose)).toBe(true);

    expect(core.entryBytes).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(jwtEntryBytes).toBeLessThanOrEqual(JWT_ENTRY_BYTES);
    expect(all.lazyBytes).toBeLessThanOrEqual(JWT_LAZY_BYTES);
  }, 60_000);

  it("keeps a typical import no larger than before @psapi/core", async () => {
    const client = 'export { createPhotoshopClient } from "./index.ts";\n';
    const withoutEnv = await measure(`${client}export { createServerToServerAuth } from "@psapi/auth";\n`);
    const withEnv = await measure(
      `${client}export { authFromEnv, createServerToServerAuth } from "@psapi/auth";\n`,
    );
    console.log(
      `createPhotoshopClient + createServerToServerAuth (minified, gzipped): ${withoutEnv.entryBytes} bytes ` +
        `of ${TYPICAL_BUDGETS.withoutEnv}; + authFromEnv: ${withEnv.entryBytes} bytes of ${TYPICAL_BUDGETS.withEnv}`,
    );
    expect(withEnv.entryInputs.some((path) => path.endsWith("src/client.ts"))).toBe(true);
    expect(withEnv.entryInputs.some((path) => path.endsWith("auth/dist/from-env.js"))).toBe(true);
    expect(withEnv.entryInputs.some((path) => path.endsWith("core/dist/deadline.js"))).toBe(true);
    expect(withoutEnv.entryBytes).toBeLessThanOrEqual(TYPICAL_BUDGETS.withoutEnv);
    expect(withEnv.entryBytes).toBeLessThanOrEqual(TYPICAL_BUDGETS.withEnv);
  }, 60_000);
});

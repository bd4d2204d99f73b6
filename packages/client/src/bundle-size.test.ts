import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * What an application pays, bundled with esbuild (minified, code splitting as an application
 * bundler does it) and gzipped: the typical import, and the whole client. The history of these
 * figures is in CHANGELOG.md.
 */
/** Server-to-server auth, the core client, one operation and its job's `wait()`: at most 10 KiB. */
const TYPICAL_BUDGET_BYTES = 10_240;
/** Every export of `@psapi/client/all` (every operation as a method, openapi-fetch) and of auth but `createJwtAuth`. */
const WHOLE_BUDGET_BYTES = 16_000;
/** What importing the deprecated `createJwtAuth` may add to the entry (its option checks; not jose). */
const JWT_ENTRY_BYTES = 600;
/** jose's signer, loaded by `import()` on the first JWT token request only. */
const JWT_LAZY_BYTES = 6_000;
/** Every operation function there is (`src/operations.ts`: the index names each one it exports). */
const EVERY_OPERATION = 'export * from "./index.ts";\nexport * from "./operations.ts";\n';
/** How many operations the growth test adds to the table and to the operation functions. */
const EXTRA_OPERATIONS = 15;

/** The typical application: `createServerToServerAuth`, `createPhotoshopClient`, `removeBackground`, `job.wait()`. */
const TYPICAL = `import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, removeBackground } from "./index.ts";
const client = createPhotoshopClient({ auth: createServerToServerAuth({ clientId: "id", clientSecret: "secret" }) });
const job = await removeBackground(client, { image: { source: { url: "https://example.com/in.jpg" } } });
export const done = await job.wait();
`;

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
 * Every export of `@psapi/client/all` and every value export of @psapi/auth (read from its built
 * `dist/`), optionally without some of auth's: what an application that imports all of them bundles.
 */
async function entry(leaveOut: readonly string[] = []): Promise<string> {
  const names = Object.keys(await import("@psapi/auth")).filter((name) => !leaveOut.includes(name));
  return `export * from "./all.ts";\nexport { ${names.join(", ")} } from "@psapi/auth";\n`;
}

/**
 * Adds `count` operations, as the next issues will: a row each in the generated table (its built
 * module) and a function each in `src/operations.ts`, written the way the real ones are.
 */
function withExtraOperations(count: number): Plugin {
  const ids = Array.from({ length: count }, (_, index) => `syntheticOperation${index}`);
  return {
    name: "extra-operations",
    setup(bundle) {
      bundle.onLoad(
        { filter: /openapi-types[\\/]dist[\\/]generated[\\/]operations\.js$/ },
        async ({ path }) => {
          const rows = ids.map(
            (id, index) =>
              `export const ${id} = { operationId: "${id}", spec: "photoshop-current.yaml", method: "POST", ` +
              `path: "/v2/synthetic-${index}", server: "https://image.adobe.io", jobKind: "v2", ` +
              `polledBy: "getV2JobStatus", statusPath: "/v2/status/{jobId}" };\n`,
          );
          // Into `OPERATIONS` too, as the generator writes them.
          const table = (await readFile(path, "utf8")).replace(
            "export const OPERATIONS = {",
            `export const OPERATIONS = {\n${ids.join(",\n")},`,
          );
          if (!table.includes(ids[0] ?? "")) throw new Error("the generated table has no OPERATIONS object");
          return { contents: table + rows.join(""), loader: "js" };
        },
      );
      bundle.onLoad({ filter: /client[\\/]src[\\/]operations\.ts$/ }, async ({ path }) => {
        const functions = ids.map(
          (id) =>
            `/** A synthetic operation. */\nexport const ${id}Call = (client: PhotoshopClient, body: Record<string, unknown>, ` +
            `options?: CallOptions): Promise<JobHandle<V2JobStatus>> => submitJob(client, operations.${id}, body, options);\n`,
        );
        return { contents: (await readFile(path, "utf8")) + functions.join(""), loader: "ts" };
      });
    },
  };
}

/**
 * Bundles and minifies `contents` with code splitting, as an application bundler would, and gzips
 * each chunk. Chunks reached only through `import()` are counted apart: they load on first use.
 */
async function measure(contents: string, plugins: Plugin[] = [], minifyIdentifiers = true): Promise<Measure> {
  const outdir = mkdtempSync(join(tmpdir(), "psapi-bundle-"));
  try {
    const result = await build({
      stdin: { contents, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
      bundle: true,
      minifySyntax: true,
      minifyWhitespace: true,
      minifyIdentifiers,
      splitting: true,
      format: "esm",
      platform: "neutral",
      external: ["node:*"],
      outdir,
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins,
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
  it(`keeps the typical import (auth, client, removeBackground, wait) within ${TYPICAL_BUDGET_BYTES} bytes`, async () => {
    const typical = await measure(TYPICAL);
    console.log(
      `createServerToServerAuth + createPhotoshopClient + removeBackground + wait (minified, gzipped): ` +
        `${typical.entryBytes} bytes of ${TYPICAL_BUDGET_BYTES}`,
    );
    // The measure holds what the application calls...
    expect(typical.entryInputs.some((path) => path.endsWith("src/run-operation.ts"))).toBe(true);
    expect(typical.entryInputs.some((path) => path.endsWith("src/jobs/wait-for-job.ts"))).toBe(true);
    expect(typical.entryInputs.some((path) => path.endsWith("auth/dist/managed-auth.js"))).toBe(true);
    // ...and none of what it does not: openapi-fetch, the methods object, the retired refusal.
    expect(typical.entryInputs.filter((path) => path.includes("openapi-fetch"))).toEqual([]);
    expect(typical.entryInputs.filter((path) => path.endsWith("src/all.ts"))).toEqual([]);
    expect(typical.entryInputs.filter((path) => path.endsWith("retired-operation-error.ts"))).toEqual([]);
    expect(typical.entryBytes).toBeLessThanOrEqual(TYPICAL_BUDGET_BYTES);
  }, 60_000);

  it(`keeps ${EXTRA_OPERATIONS} more operations out of the typical import: not a byte of their code`, async () => {
    const extra = withExtraOperations(EXTRA_OPERATIONS);
    // The code itself, names kept: esbuild picks short names by how often each character occurs in
    // the source of the files it bundles, so longer files shuffle the names (a few bytes either way)
    // without adding code. With names kept, the bundles must be equal to the byte.
    const [code, codeWithMore, whole, wholeWithMore, typical, typicalWithMore] = [
      await measure(TYPICAL, [], false),
      await measure(TYPICAL, [extra], false),
      await measure(EVERY_OPERATION, [], false),
      await measure(EVERY_OPERATION, [extra], false),
      await measure(TYPICAL),
      await measure(TYPICAL, [extra]),
    ];
    console.log(
      `${EXTRA_OPERATIONS} more operations: typical import ${code.entryBytes} → ${codeWithMore.entryBytes} bytes ` +
        `with names kept (${typical.entryBytes} → ${typicalWithMore.entryBytes} fully minified); ` +
        `every operation function ${whole.entryBytes} → ${wholeWithMore.entryBytes} bytes`,
    );
    // The added operations are real code: an import of every operation pays for them...
    expect(wholeWithMore.entryBytes).toBeGreaterThan(whole.entryBytes + EXTRA_OPERATIONS * 20);
    // ...and the typical import, which names none of them, does not: the same code, to the byte...
    expect(codeWithMore.entryBytes).toBe(code.entryBytes);
    // ...and, fully minified, still the same size within the name shuffle, and within its budget.
    expect(Math.abs(typicalWithMore.entryBytes - typical.entryBytes)).toBeLessThanOrEqual(8);
    expect(typicalWithMore.entryBytes).toBeLessThanOrEqual(TYPICAL_BUDGET_BYTES);
  }, 60_000);

  it(`keeps the whole client + auth within ${WHOLE_BUDGET_BYTES} bytes; the deprecated JWT path costs only its importers`, async () => {
    // Every export but the deprecated createJwtAuth: what an application pays for both packages.
    const core = await measure(await entry(["createJwtAuth"]));
    // Every export of both packages: the JWT factory's option checks join the entry, jose stays lazy.
    const all = await measure(await entry());
    const jwtEntryBytes = all.entryBytes - core.entryBytes;
    console.log(
      `@psapi/client/all + @psapi/auth (minified, gzipped): ${core.entryBytes} bytes of ${WHOLE_BUDGET_BYTES}; ` +
        `importing the deprecated createJwtAuth adds ${jwtEntryBytes} bytes, and jose (loaded by import() ` +
        `on its first token request only) ${all.lazyBytes} bytes more`,
    );

    // The measure holds both packages, every operation and openapi-fetch...
    expect(core.entryInputs.some((path) => path.endsWith("src/all.ts"))).toBe(true);
    expect(core.entryInputs.some((path) => path.includes("openapi-fetch"))).toBe(true);
    expect(core.entryInputs.some((path) => path.endsWith("auth/dist/managed-auth.js"))).toBe(true);
    // ...an application that does not import createJwtAuth bundles none of it (tree shaking)...
    expect(core.entryInputs.filter((path) => isJwtFactory(path) || isJose(path))).toEqual([]);
    // ...and one that does gets jose only in a chunk loaded on first use.
    expect(all.entryInputs.some(isJwtFactory)).toBe(true);
    expect(all.entryInputs.filter(isJose)).toEqual([]);
    expect(all.lazyInputs.some(isJose)).toBe(true);

    expect(core.entryBytes).toBeLessThanOrEqual(WHOLE_BUDGET_BYTES);
    expect(jwtEntryBytes).toBeLessThanOrEqual(JWT_ENTRY_BYTES);
    expect(all.lazyBytes).toBeLessThanOrEqual(JWT_LAZY_BYTES);
  }, 60_000);
});

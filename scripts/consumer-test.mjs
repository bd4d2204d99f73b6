#!/usr/bin/env node
// The consumer test: what a user gets from the packed packages, outside this workspace.
// 1. packs every public package with `pnpm pack` (workspace ranges replaced, as on publish);
// 2. `npm install`s the tarballs into a temporary project under the system's temp directory,
//    offline: our packages come from the tarballs; third-party packages are linked from this
//    workspace's pnpm store (`overrides` to `file:` paths), because neither npm's cache nor pnpm's
//    metadata cache here holds their registry metadata, and `pnpm test` must not need a registry;
// 3. compiles with strict `tsc` every code block marked `<!-- readme-check: … -->` in a README or in
//    a guide of the documentation site (docs/site/guide/), and runs
//    the ones marked `run`: the client with server-to-server auth against `psapi-emulator` served
//    on a port, and the in-process emulator with no port; then runs `npx psapi quickstart`.
//    A `declare name` of a block stands for a file the example needs (a template PSD, a photo, an
//    output URL): a `typecheck` block only compiles with it declared, and a `run` block gets it from
//    FIXTURES below, made in the emulator's storage before the blocks run.
// The README blocks are the code that runs here, so a README example cannot rot.
//
//   node scripts/consumer-test.mjs [--keep]   # --keep: leave the temporary project and print its path
import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { pack, publicPackages } from "./check-packages.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MARKER =
  /<!--\s*readme-check:\s*(run|typecheck)((?:\s+declare\s+\w+)*)\s*-->\s*\n```ts\n([\s\S]*?)```/g;

/** The documentation site's guides (docs/site/guide/*.md): their marked blocks run here too. */
const GUIDES = join(root, "docs", "site", "guide");

/**
 * The marked code blocks of every public package's README and of every guide, as
 * `{ name, source, mode, declares, code }`.
 */
function readmeBlocks(packages) {
  const files = [
    ...packages.map(({ dir }) => ({ file: join(dir, "README.md"), label: basename(dir) })),
    ...(existsSync(GUIDES) ? readdirSync(GUIDES) : [])
      .filter((name) => name.endsWith(".md"))
      .map((name) => ({ file: join(GUIDES, name), label: `guide-${basename(name, ".md")}` })),
  ];
  return files.flatMap(({ file, label }) => {
    if (!existsSync(file)) return [];
    return [...readFileSync(file, "utf8").matchAll(MARKER)].map((match, index) => ({
      name: `${label}-${index + 1}`,
      source: relative(root, file),
      mode: match[1],
      declares: [...match[2].matchAll(/declare\s+(\w+)/g)].map((declared) => declared[1]),
      code: match[3],
    }));
  });
}

/** The real directories of the third-party runtime dependencies of `packages`, by name. */
function thirdPartyLinks(packages) {
  const links = {};
  for (const { dir, manifest } of packages) {
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      if (name.startsWith("@psapi/")) continue;
      links[name] = `file:${realpathSync(join(dir, "node_modules", name))}`;
    }
  }
  return links;
}

function run(command, args, options) {
  return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
}

/**
 * Starts the installed `psapi-emulator` binary (`--port 0`) in `cwd` and resolves with its URL and a
 * stop function. Node runs the bin's target itself, not through npx: npx would leave the server
 * running (and this script waiting on it) when only npx gets the SIGTERM.
 */
function startEmulator(cwd) {
  const bin = realpathSync(join(cwd, "node_modules", ".bin", "psapi-emulator"));
  const child = spawn(process.execPath, [bin, "--port", "0", "--job-pending-ms", "0"], {
    cwd,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolvePromise, reject) => {
    child.once("exit", (code) => reject(new Error(`psapi-emulator exited with ${code}`)));
    child.stdout.unref?.();
    child.stdout.on("data", (chunk) => {
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString())?.[1];
      if (url) resolvePromise({ url, stop: () => child.kill("SIGTERM") });
    });
  });
}

/**
 * What a `run` block's declared names stand for, made through the installed packages as a user
 * would, in the emulator's storage: pre-signed GET URLs of a photo (PNG), a PSD of it, and a
 * template PSD with a smart object `Product` and a text layer `Headline`; pre-signed PUT URLs for
 * outputs; a PEM private key. Each value reaches the example as `PSAPI_EXAMPLE_<name>`.
 */
const FIXTURES = {
  photoUrl: "photo",
  productUrl: "photo",
  firstUrl: "photo",
  secondUrl: "photo",
  signedGetUrl: "photo",
  psdUrl: "psd",
  templateUrl: "template",
  signedPutUrl: "put",
  outUrl: "put",
  privateKey: "key",
};

async function makeFixtures(project, baseUrl, env) {
  const resolveFrom = createRequire(join(project, "package.json"));
  const load = (specifier) => import(pathToFileURL(resolveFrom.resolve(specifier)).href);
  const { createEmulatorControl } = await load("@psapi/mock-server/control");
  const { authFromEnv } = await load("@psapi/auth");
  const { createPhotoshopClient, createComposite } = await load("@psapi/client");
  const sharp = (await load("sharp")).default;
  const control = createEmulatorControl({ baseUrl });
  const client = createPhotoshopClient({ auth: authFromEnv(env), baseUrl });
  const photoPng = await sharp({
    create: { width: 120, height: 80, channels: 3, background: { r: 200, g: 120, b: 40 } },
  })
    .png()
    .toBuffer();
  const photo = await control.putObject("examples/photo.png", new Uint8Array(photoPng), "image/png");
  async function render(body, key) {
    const { url } = await control.presign(key, "PUT");
    const job = await createComposite(client, {
      ...body,
      outputs: [{ destination: { url }, mediaType: "image/vnd.adobe.photoshop" }],
    });
    await job.wait({ timeoutMs: 60_000 });
    return (await control.presign(key, "GET")).url;
  }
  const psd = await render({ image: { source: { url: photo } } }, "examples/photo.psd");
  const template = await render(
    {
      image: { width: 600, height: 400, fill: "white" },
      edits: {
        layers: [
          {
            type: "smart_object_layer",
            name: "Product",
            operation: { type: "add", placement: { type: "top" } },
            smartObject: { smartObjectFile: { source: { url: photo } } },
          },
          {
            type: "text_layer",
            name: "Headline",
            operation: { type: "add", placement: { type: "top" } },
            text: { content: "Headline" },
          },
        ],
      },
    },
    "examples/template.psd",
  );
  let outputs = 0;
  const values = { photo, psd, template };
  const result = {};
  for (const [name, kind] of Object.entries(FIXTURES)) {
    if (kind === "put") result[name] = (await control.presign(`examples/out-${++outputs}`, "PUT")).url;
    else if (kind === "key")
      result[name] = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
        type: "pkcs8",
        format: "pem",
      });
    else result[name] = values[kind];
  }
  return Object.fromEntries(Object.entries(result).map(([name, value]) => [`PSAPI_EXAMPLE_${name}`, value]));
}

const packages = publicPackages();
const project = mkdtempSync(join(tmpdir(), "psapi-consumer-"));
let emulator;
try {
  const tarballs = join(project, "tarballs");
  mkdirSync(tarballs);
  const ours = Object.fromEntries(
    packages.map(({ dir, manifest }) => [manifest.name, `file:${relative(project, pack(dir, tarballs))}`]),
  );
  const typescript = realpathSync(join(root, "node_modules", "typescript"));
  const nodeTypes = realpathSync(join(root, "node_modules", "@types", "node"));
  const links = {
    ...thirdPartyLinks(packages),
    typescript: `file:${typescript}`,
    "@types/node": `file:${nodeTypes}`,
  };
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify(
      {
        name: "psapi-consumer",
        private: true,
        type: "module",
        dependencies: ours,
        devDependencies: { typescript: links.typescript, "@types/node": links["@types/node"] },
        overrides: { ...links, ...ours },
      },
      null,
      2,
    )}\n`,
  );
  console.log(`consumer: npm install of ${packages.length} tarballs in ${project} (offline)`);
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: project,
  });

  const blocks = readmeBlocks(packages);
  if (blocks.length === 0) throw new Error("no README block is marked <!-- readme-check: … -->");
  mkdirSync(join(project, "examples"));
  for (const block of blocks) {
    const missing = block.mode === "run" ? block.declares.filter((name) => !(name in FIXTURES)) : [];
    if (missing.length > 0)
      throw new Error(
        `${block.source} (${block.name}) runs with ${missing.join(", ")}, which FIXTURES lacks`,
      );
    const declares = block.declares
      .map((name) =>
        block.mode === "run"
          ? `const ${name}: string = process.env.PSAPI_EXAMPLE_${name} ?? "";\n`
          : `declare const ${name}: string;\n`,
      )
      .join("");
    writeFileSync(join(project, "examples", `${block.name}.ts`), `${declares}${block.code}\nexport {};\n`);
  }
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        types: ["node"],
        lib: ["ES2023", "DOM"],
        outDir: "built",
        skipLibCheck: false,
      },
      include: ["examples"],
    }),
  );
  try {
    run(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
      cwd: project,
    });
  } catch (error) {
    const where = blocks.map((block) => `${block.name}: ${block.source}`).join(", ");
    throw new Error(`a README example does not compile (${where}):\n${error.stdout}${error.stderr}`);
  }
  console.log(`consumer: ${blocks.length} README examples compile with strict tsc`);

  emulator = await startEmulator(project);
  const env = {
    ...process.env,
    PHOTOSHOP_CLIENT_ID: "psapi-demo-client",
    PHOTOSHOP_CLIENT_SECRET: "psapi-demo-secret",
    PHOTOSHOP_API_URL: emulator.url,
    PHOTOSHOP_IMS_URL: emulator.url,
  };
  Object.assign(env, await makeFixtures(project, emulator.url, env));
  for (const block of blocks.filter((candidate) => candidate.mode === "run")) {
    const output = run(process.execPath, [join(project, "built", `${block.name}.js`)], { cwd: project, env });
    console.log(`consumer: ran ${block.source} (${block.name}): ${output.trim().split("\n").at(-1)}`);
  }
  const quickstart = run("npx", ["--offline", "psapi", "quickstart"], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  if (!existsSync(join(project, "out", "coffee-mask.png"))) {
    throw new Error(`npx psapi quickstart wrote no out/coffee-mask.png:\n${quickstart}`);
  }
  console.log("consumer: npx psapi quickstart wrote out/coffee-mask.png");
} catch (error) {
  console.error(`consumer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  emulator?.stop();
  if (!process.argv.includes("--keep")) rmSync(project, { recursive: true, force: true });
  else console.log(`consumer: kept ${project}`);
}

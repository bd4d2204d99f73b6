#!/usr/bin/env node
// Packs every public workspace package with `pnpm pack` (as `pnpm publish` would) and checks what a
// registry user would get: a LICENSE, repository/homepage/bugs, no `workspace:` or `catalog:` range, no source map
// pointing at a file the tarball does not ship, README links that work on a registry page; then
// publint and `attw --profile esm-only` on the tarball. Part of `pnpm test` (after the build).
//
//   node scripts/check-packages.mjs [--keep <dir>]   # --keep: leave the tarballs in <dir>
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const license = readFileSync(join(root, "LICENSE"), "utf8");

/** The workspace's package directories, from pnpm-workspace.yaml (`dir/*` or `dir`). */
export function workspaceDirectories() {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const block = /^packages:\n((?:\s+- .+\n)+)/m.exec(yaml)?.[1] ?? "";
  const patterns = [...block.matchAll(/-\s+["']?([^"'\n]+)["']?/g)].map((match) => match[1].trim());
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith("/*")) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent)
      .map((name) => join(parent, name))
      .filter((dir) => existsSync(join(dir, "package.json")));
  });
}

/** The public packages: `{ dir, manifest }` for each workspace package that is not private. */
export function publicPackages() {
  return workspaceDirectories()
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true);
}

/**
 * Packs `dir` into `destination` with pnpm (workspace ranges replaced, as on publish). A tarball of
 * the same name already there is overwritten, so packing into a kept directory again works.
 * @returns The tarball's path, as `pnpm pack --json` reports it.
 */
export function pack(dir, destination) {
  const output = execFileSync("pnpm", ["pack", "--json", "--pack-destination", destination], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const filename = JSON.parse(output).filename;
  if (typeof filename !== "string" || !existsSync(filename)) {
    throw new Error(`pnpm pack in ${dir} reported no tarball that exists:\n${output.slice(0, 500)}`);
  }
  return filename;
}

/** Names of the workspace's private packages, which are never published. */
const privateNames = new Set(
  workspaceDirectories()
    .map((dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")))
    .filter((manifest) => manifest.private === true)
    .map((manifest) => manifest.name),
);

const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];

/** Every problem of one unpacked package (its `package/` directory), as sentences. */
function problemsOf(unpacked, name) {
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
  if (!existsSync(join(unpacked, "LICENSE"))) problems.push("ships no LICENSE");
  else if (readFileSync(join(unpacked, "LICENSE"), "utf8") !== license)
    problems.push("its LICENSE differs from the repository's");
  for (const field of ["license", "homepage"]) {
    if (typeof manifest[field] !== "string" || manifest[field] === "") problems.push(`has no "${field}"`);
  }
  if (typeof manifest.bugs?.url !== "string") problems.push('has no "bugs.url"');
  if (manifest.repository?.url !== rootManifest.repository?.url)
    problems.push(`"repository.url" is not the repository's (${rootManifest.repository?.url})`);
  if (typeof manifest.repository?.directory !== "string") problems.push('has no "repository.directory"');
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog):/.test(String(range))) problems.push(`${field}.${dependency} is "${range}"`);
      if (field !== "devDependencies" && privateNames.has(dependency))
        problems.push(`${field}.${dependency} is a private package: installing this one fails with a 404`);
    }
  }
  const files = listFiles(unpacked);
  const shipped = new Set(files);
  for (const file of files) {
    if (file.endsWith(".map")) {
      const map = JSON.parse(readFileSync(join(unpacked, file), "utf8"));
      for (const source of map.sources ?? []) {
        const target = relative(
          unpacked,
          resolve(dirname(join(unpacked, file)), map.sourceRoot ?? "", source),
        );
        if (!shipped.has(target)) problems.push(`${file} points at ${target}, which is not shipped`);
      }
    } else if (/\.(m|c)?[jt]s$/.test(file)) {
      const text = readFileSync(join(unpacked, file), "utf8");
      for (const match of text.matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
        if (match[1].startsWith("data:")) continue;
        const target = relative(unpacked, resolve(dirname(join(unpacked, file)), match[1]));
        if (!shipped.has(target))
          problems.push(`${file} names the source map ${target}, which is not shipped`);
      }
    }
  }
  const readme = files.find((file) => /^readme\.md$/i.test(file));
  if (readme === undefined) problems.push("ships no README.md");
  else {
    const text = readFileSync(join(unpacked, readme), "utf8").replace(/```[\s\S]*?```/g, "");
    for (const match of text.matchAll(/\]\(([^)\s]+)[^)]*\)/g)) {
      if (!/^(https?:|mailto:|#)/.test(match[1]))
        problems.push(`README link "${match[1]}" is relative: it breaks on a registry page`);
    }
  }
  return problems.map((problem) => `${name}: ${problem}`);
}

function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

/** Runs a linter from the root's node_modules/.bin; its output becomes problems when it fails. */
function lint(tool, args, name) {
  const bin = join(root, "node_modules", ".bin", tool);
  if (!existsSync(bin)) return [`${name}: ${tool} is not installed (pnpm install)`];
  try {
    execFileSync(bin, args, { cwd: root, stdio: "pipe", encoding: "utf8" });
    return [];
  } catch (error) {
    const said = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n  ");
    return [`${name}: ${tool} ${args.join(" ")} failed:\n  ${said}`];
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Parsed here, not at the top level: consumer-test.mjs imports this module and has its own --keep.
  const keepIndex = process.argv.indexOf("--keep");
  const keepArgument = keepIndex === -1 ? undefined : process.argv[keepIndex + 1];
  if (keepIndex !== -1 && (keepArgument === undefined || keepArgument.startsWith("-"))) {
    console.error("check-packages: --keep needs a directory: node scripts/check-packages.mjs --keep <dir>");
    process.exit(2);
  }
  const keepAt = keepArgument === undefined ? undefined : resolve(keepArgument);
  if (keepAt !== undefined) mkdirSync(keepAt, { recursive: true });
  const work = keepAt ?? mkdtempSync(join(tmpdir(), "psapi-packages-"));
  const problems = [];
  try {
    for (const { dir, manifest } of publicPackages()) {
      const tarball = pack(dir, work);
      const unpacked = mkdtempSync(join(tmpdir(), "psapi-unpacked-"));
      try {
        execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
        problems.push(...problemsOf(join(unpacked, "package"), manifest.name));
        problems.push(...lint("publint", ["run", join(unpacked, "package"), "--strict"], manifest.name));
        // Data files a package exports (@psapi/openapi's YAML) are not modules: attw checks the rest.
        const dataEntries = Object.keys(manifest.exports ?? {}).filter((key) => /\.ya?ml$/.test(key));
        const exclude = dataEntries.length > 0 ? ["--exclude-entrypoints", ...dataEntries] : [];
        problems.push(
          ...lint("attw", [tarball, "--profile", "esm-only", "--format", "ascii", ...exclude], manifest.name),
        );
      } finally {
        rmSync(unpacked, { recursive: true, force: true });
      }
      console.log(`packed ${manifest.name}: ${relative(work, tarball)}`);
    }
  } finally {
    if (keepAt === undefined) rmSync(work, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(
      `\n${problems.length} packaging problem(s):\n${problems.map((line) => `- ${line}`).join("\n")}`,
    );
    process.exit(1);
  }
  console.log("packages: every public package packs clean");
  if (keepAt !== undefined) console.log(`packages: tarballs kept in ${keepAt}`);
}

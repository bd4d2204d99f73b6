#!/usr/bin/env node
// Validates every named example in psapi's OpenAPI files against its schema with ajv (JSON Schema
// 2020-12, formats on), the same validator the emulator and the contract tests use, and fails when
// a request or response body has no named example (binary bodies excepted: bytes have no JSON
// example). Parameter and header examples are validated when present.
// Why next to `redocly lint`: Redocly checks media-type and parameter examples but not header
// examples, and its ajv differs from ours in $ref-sibling and format handling; this script makes
// "every example is valid" hold for the exact semantics the emulator enforces.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node scripts/check-examples.mjs <openapi.yaml>...\n");
  process.exit(2);
}

/** Media types whose bodies are bytes: no JSON example can stand for them. */
const BINARY = /^(application\/octet-stream|image\/|audio\/|video\/)/;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const problems = [];
let checked = 0;

/** JSON pointer (RFC 6901) for a list of path segments, as printed in messages. */
const pointer = (segments) =>
  segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
/** The same pointer as a URI fragment, the form ajv resolves (`{jobId}` must be escaped). */
const fragment = (segments) => pointer(segments).split("/").map(encodeURIComponent).join("/");

function checkFile(file) {
  const doc = parse(readFileSync(file, "utf8"));
  const base = `https://psapi.invalid/${file}`;
  const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, base);

  /** Follows a local `$ref` (one hop at a time) and returns [resolved object, its path]. */
  const deref = (node, path) => {
    let current = node;
    let at = path;
    while (current && typeof current.$ref === "string" && current.$ref.startsWith("#/")) {
      at = current.$ref
        .slice(2)
        .split("/")
        .map((s) => decodeURIComponent(s).replaceAll("~1", "/").replaceAll("~0", "~"));
      current = at.reduce((value, key) => value?.[key], doc);
      if (current === undefined) {
        problems.push(`${file}#${pointer(path)}: unresolvable $ref ${node.$ref}`);
        return [undefined, at];
      }
    }
    return [current, at];
  };

  const seen = new Set();
  /**
   * Checks one object that carries `schema` and `examples` (media type, parameter, header);
   * `required` says whether a missing example is a problem.
   */
  const checkHolder = (holderRaw, path, what, required) => {
    const [holder, at] = deref(holderRaw, path);
    if (!holder) return;
    const key = `#${pointer(at)}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (!holder.schema) {
      problems.push(`${file}${key}: ${what} has no schema`);
      return;
    }
    const entries = Object.entries(holder.examples ?? {});
    if (entries.length === 0) {
      if (required) problems.push(`${file}${key}: ${what} has no named examples`);
      return;
    }
    const validate = ajv.getSchema(`${base}#${fragment([...at, "schema"])}`);
    for (const [name, exampleRaw] of entries) {
      const [example] = deref(exampleRaw, [...at, "examples", name]);
      if (!example || !("value" in example)) {
        problems.push(`${file}${key}: example "${name}" has no value`);
        continue;
      }
      checked += 1;
      if (!validate(example.value)) {
        const why = validate.errors.map((e) => `    ${e.instancePath || "(root)"} ${e.message}`).join("\n");
        problems.push(`${file}${key}: example "${name}" does not match its schema:\n${why}`);
      }
    }
  };

  const checkContent = (content, path, what) => {
    for (const [mediaType, media] of Object.entries(content ?? {})) {
      checkHolder(media, [...path, "content", mediaType], `${what} ${mediaType}`, !BINARY.test(mediaType));
    }
  };

  for (const [route, itemRaw] of Object.entries(doc.paths ?? {})) {
    const [item, itemPath] = deref(itemRaw, ["paths", route]);
    if (!item) continue;
    const shared = item.parameters ?? [];
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const opPath = [...itemPath, method];
      const label = `${method.toUpperCase()} ${route}`;
      shared.forEach((p, i) => {
        checkHolder(p, [...itemPath, "parameters", i], `${label} parameter`, false);
      });
      (op.parameters ?? []).forEach((p, i) => {
        checkHolder(p, [...opPath, "parameters", i], `${label} parameter`, false);
      });
      if (op.requestBody) {
        const [body, bodyPath] = deref(op.requestBody, [...opPath, "requestBody"]);
        if (body) checkContent(body.content, bodyPath, `${label} request body`);
      }
      for (const [status, responseRaw] of Object.entries(op.responses ?? {})) {
        const [response, responsePath] = deref(responseRaw, [...opPath, "responses", status]);
        if (!response) continue;
        checkContent(response.content, responsePath, `${label} ${status} response`);
        for (const [name, header] of Object.entries(response.headers ?? {})) {
          checkHolder(header, [...responsePath, "headers", name], `${label} ${status} header ${name}`, false);
        }
      }
    }
  }
}

for (const file of files) {
  try {
    checkFile(file);
  } catch (error) {
    problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`check-examples: ${problems.length} problem(s)\n${problems.join("\n")}\n`);
  process.exit(1);
}
process.stdout.write(`check-examples: ${checked} examples in ${files.length} files match their schemas\n`);

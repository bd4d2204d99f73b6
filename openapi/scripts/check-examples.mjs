#!/usr/bin/env node
// Validates every named example in psapi's OpenAPI files against its schema with this package's
// createSpecSet (the one Ajv set-up and $ref handling the emulator and the contract tests use too),
// and fails when
// a request or response body has no named example (binary bodies excepted: bytes have no JSON
// example). Parameter and header examples are validated when present.
// Why next to `redocly lint`: Redocly checks media-type and parameter examples but not header
// examples, and its ajv differs from ours in $ref-sibling and format handling; this script makes
// "every example is valid" hold for the exact semantics the emulator enforces.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
// The built package (turbo runs this package's build before its lint).
import { createSpecSet } from "../dist/index.js";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node scripts/check-examples.mjs <openapi.yaml>...\n");
  process.exit(2);
}

/** Media types whose bodies are bytes: no JSON example can stand for them. */
const BINARY = /^(application\/octet-stream|image\/|audio\/|video\/)/;
const problems = [];
let checked = 0;

function checkFile(file) {
  const id = pathToFileURL(file).href;
  const specs = createSpecSet([{ id, document: parse(readFileSync(file, "utf8")) }]);
  /** Where a node is, as printed in messages: the file and the JSON pointer. */
  const where = (node) => `${file}${decodeURIComponent(node.uri.slice(node.uri.indexOf("#")))}`;

  const seen = new Set();
  /**
   * Checks one object that carries `schema` and `examples` (media type, parameter, header);
   * `required` says whether a missing example is a problem.
   */
  const checkHolder = (holder, what, required) => {
    const key = where(holder);
    if (seen.has(key)) return;
    seen.add(key);
    const schema = specs.child(holder, "schema");
    if (!schema) {
      problems.push(`${key}: ${what} has no schema`);
      return;
    }
    const examples = specs.children(specs.child(holder, "examples"));
    if (examples.length === 0) {
      if (required) problems.push(`${key}: ${what} has no named examples`);
      return;
    }
    const validate = specs.validator(schema);
    for (const [name, example] of examples) {
      if (typeof example.value !== "object" || example.value === null || !("value" in example.value)) {
        problems.push(`${key}: example "${name}" has no value`);
        continue;
      }
      checked += 1;
      if (!validate(example.value.value)) {
        const why = validate.errors.map((e) => `    ${e.instancePath || "(root)"} ${e.message}`).join("\n");
        problems.push(`${key}: example "${name}" does not match its schema:\n${why}`);
      }
    }
  };

  const checkContent = (holder, what) => {
    for (const [mediaType, media] of specs.children(specs.child(holder, "content"))) {
      checkHolder(media, `${what} ${mediaType}`, !BINARY.test(mediaType));
    }
  };

  for (const { template, method, node, pathItem } of specs.operations()) {
    const label = `${method.toUpperCase()} ${template}`;
    for (const [, parameter] of [
      ...specs.children(specs.child(pathItem, "parameters")),
      ...specs.children(specs.child(node, "parameters")),
    ]) {
      checkHolder(parameter, `${label} parameter`, false);
    }
    const body = specs.child(node, "requestBody");
    if (body) checkContent(body, `${label} request body`);
    for (const [status, response] of specs.children(specs.child(node, "responses"))) {
      checkContent(response, `${label} ${status} response`);
      for (const [name, header] of specs.children(specs.child(response, "headers"))) {
        checkHolder(header, `${label} ${status} header ${name}`, false);
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

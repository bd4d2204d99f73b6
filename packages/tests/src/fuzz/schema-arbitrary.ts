import { isRecord } from "@psapi/core";
import fc from "fast-check";
import type { Schema } from "./spec-operations.js";

/** Strings that look like what the API takes: URLs, ids, keys, and a few that merely resemble them. */
const plausibleString = fc.oneof(
  fc.constantFrom(
    "https://example.com/in.png",
    "http://127.0.0.1:4010/__emulator/storage/objects/in.png?expires=1&sig=x",
    "in/photo.jpg",
    "00000000-0000-4000-8000-000000000000",
    "image/png",
    "psapi-demo-client",
    "client_credentials",
    "",
  ),
  fc.string({ maxLength: 24 }),
);

/**
 * A fast-check arbitrary for values of a JSON Schema (the subset OpenAPI 3.1 files use: `type`,
 * `enum`, `const`, `oneOf`/`anyOf`/`allOf`, `properties`/`required`, `items`, length and size
 * bounds, a few formats). It aims at values the schema accepts, as the start for mutations; where
 * it cannot tell (a `pattern`, a `not`) the value may be invalid, which the fuzzer wants anyway.
 *
 * @param schema A schema with its `$ref`s inlined (see `specOperations`).
 * @param depth How deep the value may still nest; past it, objects and arrays are empty.
 * @returns The arbitrary.
 * @example
 * fc.sample(schemaArbitrary({ type: "object", properties: { a: { type: "integer" } }, required: ["a"] }), 1);
 */
export function schemaArbitrary(schema: Schema, depth = 6): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const base = withoutKey(schema, key);
      return fc.oneof(...options.map((option) => schemaArbitrary(merge(base, option), depth)));
    }
  }
  if (isRecord(schema.if) && (isRecord(schema.then) || isRecord(schema.else))) {
    // A conditional: either branch, merged in (the condition may or may not hold for the draw).
    const { if: _if, then, else: otherwise, ...base } = schema;
    return fc.oneof(
      ...[then, otherwise].filter(isRecord).map((branch) => schemaArbitrary(merge(base, branch), depth)),
    );
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    return schemaArbitrary(schema.allOf.reduce<Schema>(merge, withoutKey(schema, "allOf")), depth);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type ?? (isRecord(schema.properties) ? "object" : undefined)) {
    case "string":
      return stringArbitrary(schema);
    case "integer":
      return fc.integer({
        min: typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : -1_000,
        max: typeof schema.maximum === "number" ? Math.floor(schema.maximum) : 1_000_000,
      });
    case "number":
      return fc.double({
        min: typeof schema.minimum === "number" ? schema.minimum : -1e6,
        max: typeof schema.maximum === "number" ? schema.maximum : 1e6,
        noNaN: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = isRecord(schema.items) ? schema.items : {};
      const minLength = typeof schema.minItems === "number" ? schema.minItems : 0;
      const maxLength = Math.max(
        minLength,
        Math.min(typeof schema.maxItems === "number" ? schema.maxItems : 3, 3),
      );
      return depth <= 0
        ? fc.constant([])
        : fc.array(schemaArbitrary(items, depth - 1), { minLength, maxLength });
    }
    case "object":
      return objectArbitrary(schema, depth);
    default:
      return fc.oneof(plausibleString, fc.integer(), fc.constant(null), fc.constant({}));
  }
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  const maxLength = Math.max(
    minLength,
    typeof schema.maxLength === "number" ? Math.min(schema.maxLength, 64) : 32,
  );
  if (typeof schema.pattern === "string") {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((text) => text.length <= Math.max(maxLength, 200));
    } catch {
      // A pattern JavaScript cannot compile: fall through to the format or plain strings.
    }
  }
  switch (schema.format) {
    case "uri":
    case "url":
      return fc.oneof(fc.webUrl(), fc.constant("https://example.com/in.png"));
    case "uuid":
      return fc.uuid();
    case "date-time":
      return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
    default:
      return fc.oneof(plausibleString, fc.string({ minLength, maxLength }));
  }
}

function objectArbitrary(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth <= 0) return fc.constant({});
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    record[name] = schemaArbitrary(isRecord(property) ? property : {}, depth - 1);
  }
  // fast-check leaves the optional keys out at random.
  return fc.record(record, { requiredKeys: [...required].filter((name) => name in record) });
}

function withoutKey(schema: Schema, key: string): Schema {
  const { [key]: _dropped, ...rest } = schema;
  return rest;
}

/** A shallow merge of two object schemas: properties and `required` lists are united. */
function merge(into: Schema, next: unknown): Schema {
  if (!isRecord(next)) return into;
  const properties = {
    ...(isRecord(into.properties) ? into.properties : {}),
    ...(isRecord(next.properties) ? next.properties : {}),
  };
  const required = [
    ...(Array.isArray(into.required) ? into.required : []),
    ...(Array.isArray(next.required) ? next.required : []),
  ];
  const merged: Schema = { ...into, ...next };
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.length > 0) merged.required = required;
  return merged;
}

import { readFileSync } from "node:fs";
import { isRecord } from "@psapi/core";
import { loadSpec, SPEC_NAMES, specPath } from "@psapi/openapi";
import { sha256 } from "./format.js";

/** An operation of one of psapi's spec files that a request resolved to. */
export interface ResolvedOperation {
  operationId: string;
  spec: string;
  pathParams: Record<string, string>;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  operationId: string;
  spec: string;
  /** Fixed segments first: `/v2/status/{jobId}` loses to a literal path of the same length. */
  literal: number;
}

let routes: Route[] | undefined;

// The Photoshop, IMS and emulator specs, never the other way round: every route is read from them.
function loadRoutes(): Route[] {
  const found: Route[] = [];
  for (const spec of SPEC_NAMES) {
    const document = loadSpec(spec).document;
    const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
    for (const [path, item] of Object.entries(paths)) {
      if (!isRecord(item)) continue;
      const names: string[] = [];
      const pattern = new RegExp(
        `^${path
          .split("/")
          .map((segment) => {
            const param = /^\{([^}]+)\}$/.exec(segment);
            if (!param?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
            names.push(param[1]);
            return "([^/]+)";
          })
          .join("/")}$`,
      );
      for (const [method, operation] of Object.entries(item)) {
        if (!isRecord(operation) || typeof operation.operationId !== "string") continue;
        found.push({
          method: method.toUpperCase(),
          pattern,
          names,
          operationId: operation.operationId,
          spec,
          literal: path.split("/").filter((segment) => !segment.startsWith("{")).length,
        });
      }
    }
  }
  return found.sort((a, b) => b.literal - a.literal);
}

/**
 * The spec operation a request is, by method and path (any host: Adobe's, IMS's or the emulator's).
 *
 * @example
 * resolveOperation("GET", "https://image.adobe.io/v2/status/abc") // { operationId: "getV2JobStatus", spec: "photoshop-current.yaml", pathParams: { jobId: "abc" } }
 */
export function resolveOperation(method: string, url: string): ResolvedOperation | undefined {
  routes ??= loadRoutes();
  const path = new URL(url).pathname;
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    route.names.forEach((name, i) => {
      pathParams[name] = safeDecode(match[i + 1] ?? "");
    });
    return { operationId: route.operationId, spec: route.spec, pathParams };
  }
  return undefined;
}

/** A path segment decoded, or as sent when it is not valid percent-encoding (outside input). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

let specHash: string | undefined;

/** SHA-256 over psapi's spec files (in `SPEC_NAMES` order): which contract a cassette was labelled with. */
export function specSha256(): string {
  specHash ??= sha256(SPEC_NAMES.map((name) => readFileSync(specPath(name), "utf8")).join("\n"));
  return specHash;
}

let version: string | undefined;

/** This package's version, for `log.creator` (`src/cassette/` and `dist/cassette/` both sit two levels down). */
export function psapiVersion(): string {
  if (version === undefined) {
    try {
      const manifest: unknown = JSON.parse(
        readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
      );
      version = isRecord(manifest) && typeof manifest.version === "string" ? manifest.version : "unknown";
    } catch {
      version = "unknown";
    }
  }
  return version;
}

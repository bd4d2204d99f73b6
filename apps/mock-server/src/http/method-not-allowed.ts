import type { Hono } from "hono";
import type { EmulatorEnv } from "../context.js";
import { OBJECTS_PATH } from "../storage/signing.js";
import { GatewayError, OAuthError, ServiceError, StorageError } from "./errors.js";

/** A route of the app as a matcher and the methods it takes. */
interface Route {
  readonly regex: RegExp;
  readonly methods: Set<string>;
}

/** Hono's `/status/:jobId` or `/objects/*` as a regular expression over the whole path. */
function pathRegex(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  // Hono's trailing `/*` also matches the bare prefix (`/objects` as well as `/objects/a`).
  return new RegExp(`^${source.endsWith("/.*") ? `${source.slice(0, -3)}(?:/.*)?` : source}$`);
}

/**
 * Finds, for a request no route answered, the methods its path does take: the `Allow` list of a
 * 405 (RFC 9110 §15.5.6), HEAD included wherever GET is (Hono answers HEAD with the GET handler).
 * The index is built from the app's own routes on first use, so it never disagrees with them.
 *
 * @param app - the emulator app, with every router mounted.
 * @returns a function from a path to its allowed methods, or `undefined` when no route has the path.
 */
export function createAllowedMethods(app: Hono<EmulatorEnv>): (path: string) => string[] | undefined {
  let routes: Route[] | undefined;
  const index = () => {
    const byPath = new Map<string, Set<string>>();
    for (const route of app.routes) {
      // Middleware (`ALL` below a router, or a method on every path) is not a route.
      if (route.method === "ALL" || route.path === "/*" || route.path === "*") continue;
      const methods = byPath.get(route.path) ?? new Set<string>();
      methods.add(route.method);
      if (route.method === "GET") methods.add("HEAD");
      byPath.set(route.path, methods);
    }
    return [...byPath].map(([path, methods]) => ({ regex: pathRegex(path), methods }));
  };
  return (path) => {
    routes ??= index();
    const methods = new Set<string>();
    for (const route of routes)
      if (route.regex.test(path)) for (const method of route.methods) methods.add(method);
    return methods.size > 0 ? [...methods] : undefined;
  };
}

/**
 * The 405 for a method a path does not take, in the error family of the path: OAuth for IMS, S3's
 * `MethodNotAllowed` XML for stored objects, the gateway's `unsupported_method` (the code Adobe's
 * error table gives for "method not allowed") for the Photoshop API, the service shape for the
 * control API. The caller adds the `Allow` header.
 */
export function methodNotAllowed(method: string, path: string, allow: readonly string[]): Error {
  const message = `${method} is not allowed on this path; it takes ${allow.join(", ")}`;
  if (path.startsWith("/ims/")) return new OAuthError(405, "invalid_request", message);
  // The objects route also takes the bare prefix (`/objects`, no key): the same XML family.
  if (path.startsWith(OBJECTS_PATH.slice(0, -1))) {
    return new StorageError(
      405,
      "MethodNotAllowed",
      "The specified method is not allowed against this resource.",
    );
  }
  if (path.startsWith("/__emulator/")) {
    return new ServiceError(405, { type: "MethodNotAllowed", code: 405, title: message });
  }
  return new GatewayError(405, "unsupported_method", message);
}

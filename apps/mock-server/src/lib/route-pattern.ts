/** A compiled `"[METHOD ]/path/glob"` pattern. */
export interface RoutePattern {
  method: string | undefined;
  path: RegExp;
}

/**
 * Compiles `"POST /sensei/*"`, `"/pie/*"` or `"*"`: an optional method, then a path where `*`
 * matches any run of characters.
 *
 * @throws TypeError when the method part is not a single upper-case word.
 */
export function compileRoute(pattern: string): RoutePattern {
  const trimmed = pattern.trim();
  const space = trimmed.indexOf(" ");
  const method = space > 0 ? trimmed.slice(0, space) : undefined;
  const glob = space > 0 ? trimmed.slice(space + 1).trim() : trimmed;
  if (method !== undefined && !/^[A-Z]+$/.test(method)) {
    throw new TypeError(
      `[@psapi/mock-server] route ${JSON.stringify(pattern)}: method must be like GET or POST`,
    );
  }
  const source = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return { method, path: new RegExp(`^${source}$`) };
}

/** Whether a request matches a compiled pattern. */
export function matchesRoute(pattern: RoutePattern, method: string, path: string): boolean {
  return (pattern.method === undefined || pattern.method === method) && pattern.path.test(path);
}
